/**
 * The HTTP API of SPEC.md, built from the route table in functions/routes.ts (the same table the
 * local server uses), with default-stage throttling, CORS limited to the configured origins and
 * JSON access logs. A route with a `scope` requires a bearer token carrying it (Cognito JWT
 * authorizer, infra/constructs/access.ts); a route without one is public.
 *
 * Trailing slashes: SPEC accepts `/inventory/products/` as `/inventory/products`. API Gateway
 * HTTP APIs refuse route keys that end in "/" (CDK's HttpRouteKey throws, CloudFormation fails),
 * and they match a request path with one trailing slash to the route without it, handing the
 * handler the unmodified `rawPath` ("/inventory/products/"). So each route is declared once, and
 * handlers must read `pathParameters`/`routeKey`, never compare `rawPath` literally.
 * After a deploy, docs/deploy.md's smoke test checks both spellings.
 */
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type CfnStage,
  type CorsPreflightOptions,
} from 'aws-cdk-lib/aws-apigatewayv2';
import type { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { methodsOf, routes, type HandlerName, type Route } from '../../functions/routes.js';
import { qualifiedScope } from '../../functions/api-clients.js';
import type { FulfillmentFunction } from './fulfillment-function.js';
import { pascalCase } from './functions.js';

export interface ApiProps {
  readonly stage: string;
  readonly functions: Readonly<Record<HandlerName, FulfillmentFunction>>;
  readonly corsOrigins: readonly string[];
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  /** Checks the bearer token of every route that names a scope (infra/constructs/access.ts). */
  readonly authorizer: HttpUserPoolAuthorizer;
}

/** Request headers a browser front end sends; `Idempotency-Key` makes restocks replay-safe. */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key'];
/** Response headers a browser may read: `Retry-After` comes with 409 request-in-progress. */
export const CORS_EXPOSE_HEADERS = ['retry-after'];

/*
 * One JSON object per request, queryable with CloudWatch Logs Insights (see docs/deploy.md).
 * `integrationErrorMessage` and `error.message` say why API Gateway answered 5xx on its own
 * (function timed out, throttled, permission missing).
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
};

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `fulfillment-${props.stage}`,
      description: 'Fulfillment service: catalog, stock, orders shipped in packages of at most 1800 g',
      // The stage is created below, with throttling and access logs the default stage cannot take.
      createDefaultStage: false,
      ...(props.corsOrigins.length > 0 ? { corsPreflight: corsFor(props.corsOrigins) } : {}),
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      /*
       * Default route throttling: a runaway client gets 429s from API Gateway before it can use up
       * the account's Lambda concurrency or DynamoDB's on-demand headroom for everyone else.
       */
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integrations = new Map<HandlerName, HttpLambdaIntegration>();
    for (const route of routes) {
      let integration = integrations.get(route.handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${pascalCase(route.handler)}Integration`,
          props.functions[route.handler],
        );
        integrations.set(route.handler, integration);
      }
      if (route.scope) {
        // The token must carry this route's scope; API Gateway answers 401/403 itself otherwise.
        this.httpApi.addRoutes({
          path: route.path,
          methods: httpMethods(route),
          integration,
          authorizer: props.authorizer,
          authorizationScopes: [qualifiedScope(route.scope)],
        });
      } else {
        const publicRoutes = this.httpApi.addRoutes({ path: route.path, methods: httpMethods(route), integration });
        for (const publicRoute of publicRoutes) {
          Validations.of(publicRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is public by design (functions/routes.ts gives it no scope): health checks and API documentation must answer without a token, and they reveal only the service's status or its published API description.`,
          });
        }
      }
    }
  }

  /** The invoke URL of the default stage, without a trailing slash. */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }

  get cfnStage(): CfnStage {
    return this.stage.node.defaultChild as CfnStage;
  }
}

/** GET routes answer HEAD too (SPEC v2), through the same function and scope. */
function httpMethods(route: Route): HttpMethod[] {
  return methodsOf(route).map((method) => HttpMethod[method]);
}

function corsFor(origins: readonly string[]): CorsPreflightOptions {
  return {
    allowOrigins: [...origins],
    allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAge: Duration.hours(1),
  };
}
