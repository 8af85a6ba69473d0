/**
 * Who may call the API: a Cognito user pool used as an OAuth 2.0 authorization server for
 * machines. Each system that talks to the service (the catalog tool, the warehouse that
 * restocks, the ordering system, dashboards that only read) gets an app client of its own with
 * the client-credentials grant and only the scopes its job needs; the HTTP API's JWT authorizer
 * checks the access token's signature, issuer, client and scope on every route that names a
 * scope in functions/routes.ts, before any function runs.
 *
 * Why JWT and not IAM: the callers are other organisations' systems (hospitals, warehouses),
 * not AWS principals; a client id and secret is what they can hold, and per-client scopes
 * say in one place who may do what. A refused call never reaches Lambda or DynamoDB.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  type CfnUserPoolClient,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
  UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { API_CLIENTS, RESOURCE_SERVER_ID, type ApiClientName } from '../../functions/api-clients.js';
import { ACCESS_SCOPES } from '../../functions/routes.js';
import { pascalCase } from './functions.js';

export interface AccessProps {
  readonly stage: string;
  /** The hosted domain's prefix: `<prefix>.auth.<region>.amazoncognito.com`. Globally unique per region. */
  readonly domainPrefix: string;
  readonly protectData: boolean;
}

export class Access extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  readonly clients: Readonly<Record<ApiClientName, UserPoolClient>>;
  readonly authorizer: HttpUserPoolAuthorizer;
  /** The operators' console's app client (authorization code with PKCE). */
  readonly operators: UserPoolClient;
  readonly operatorScopes: string[];

  constructor(scope: Construct, id: string, props: AccessProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `fulfillment-${props.stage}`,
      // Machines, and the operators of the console: nobody signs up; an administrator creates each
      // operator (AWS console or `aws cognito-idp admin-create-user`), who then signs in through the
      // hosted page with a password under the policy below and a one-time code (MFA).
      selfSignUpEnabled: false,
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: props.protectData,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus plan adds threat protection for user sign-ins (compromised passwords, risky logins). The only users are a few operators created by an administrator, each with a 14-character password and a required one-time code (MFA); machines use the client-credentials grant, which Plus does not protect further.',
    });

    const scopes = ACCESS_SCOPES.map(
      (name) => new ResourceServerScope({ scopeName: name, scopeDescription: `fulfillment ${name}` }),
    );
    const resourceServer = new UserPoolResourceServer(this, 'ResourceServer', {
      userPool: this.userPool,
      identifier: RESOURCE_SERVER_ID,
      userPoolResourceServerName: 'Fulfillment API',
      scopes,
    });

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });

    const clients = {} as Record<ApiClientName, UserPoolClient>;
    for (const [name, client] of Object.entries(API_CLIENTS) as Array<
      [ApiClientName, (typeof API_CLIENTS)[ApiClientName]]
    >) {
      clients[name] = this.userPool.addClient(`${pascalCase(name)}Client`, {
        userPoolClientName: `fulfillment-${props.stage}-${name}`,
        generateSecret: true,
        authFlows: {},
        oAuth: {
          flows: { clientCredentials: true },
          scopes: client.scopes.map((s) =>
            OAuthScope.resourceServer(resourceServer, scopes[ACCESS_SCOPES.indexOf(s)]!),
          ),
        },
        // Clients cache a token for its hour; a revoked client stops working within that hour.
        accessTokenValidity: Duration.hours(1),
        preventUserExistenceErrors: true,
      });
    }
    this.clients = clients;

    // The operators' console (GET /console): people sign in on Cognito's hosted page, and the page
    // trades the code for a token with PKCE (a public client: a page can keep no secret). Every
    // scope, since operators do every job. The callback is the console's URL, set once the API
    // exists (setConsoleUrl).
    this.operators = this.userPool.addClient('OperatorsClient', {
      userPoolClientName: `fulfillment-${props.stage}-operators`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: scopes.map((scope) => OAuthScope.resourceServer(resourceServer, scope)),
        callbackUrls: ['https://localhost/console'],
        logoutUrls: ['https://localhost/console'],
      },
      // A working shift; the page asks to sign in again after.
      accessTokenValidity: Duration.hours(8),
      idTokenValidity: Duration.hours(8),
      refreshTokenValidity: Duration.hours(8),
      preventUserExistenceErrors: true,
    });
    this.operatorScopes = ACCESS_SCOPES.map((s) => `${RESOURCE_SERVER_ID}/${s}`);

    // Cognito access tokens carry `client_id` instead of `aud`; API Gateway checks it against these.
    this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
      userPoolClients: [...Object.values(clients), this.operators],
      authorizerName: 'cognito-client-credentials',
    });
  }

  /** The console's address, where the hosted sign-in sends operators back (known once the API exists). */
  setConsoleUrl(url: string): void {
    const client = this.operators.node.defaultChild as CfnUserPoolClient;
    client.callbackUrLs = [url];
    client.logoutUrLs = [url];
  }

  /** What the console page needs to sign operators in (CONSOLE_SIGN_IN). */
  get consoleSignIn() {
    return {
      authorizeUrl: `${this.domain.baseUrl()}/oauth2/authorize`,
      tokenUrl: this.tokenUrl,
      clientId: this.operators.userPoolClientId,
      scopes: this.operatorScopes,
    };
  }

  /** Where callers get tokens: POST client credentials, receive a bearer token for an hour. */
  get tokenUrl(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }

  /** The default hosted-domain prefix: unique per stage and account, as Cognito requires per region. */
  static defaultDomainPrefix(scope: Construct, stage: string): string {
    return `fulfillment-${stage}-${Stack.of(scope).account}`;
  }
}
