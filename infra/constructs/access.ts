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

  constructor(scope: Construct, id: string, props: AccessProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `fulfillment-${props.stage}`,
      // Machines only: nobody signs up or signs in with a password. If an operator adds a human
      // user by hand, the policy below and MFA apply to them.
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
        'The Plus plan adds threat protection for user sign-ins (compromised passwords, risky logins). This pool has no users: callers are machines using the client-credentials grant, which Plus does not protect further.',
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

    // Cognito access tokens carry `client_id` instead of `aud`; API Gateway checks it against these.
    this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', this.userPool, {
      userPoolClients: Object.values(clients),
      authorizerName: 'cognito-client-credentials',
    });
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
