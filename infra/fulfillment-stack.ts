/**
 * The whole service in one stack, assembled from constructs named by concern:
 *   Data        infra/constructs/data.ts         the DynamoDB table
 *   Functions   infra/constructs/functions.ts    one Lambda per handler, least-privilege access
 *   Access      infra/constructs/access.ts       Cognito app clients, scopes, JWT authorizer
 *   Api         infra/constructs/api.ts          HTTP API with the routes of functions/routes.ts
 *   Events      infra/constructs/events.ts       bus, Restock rule + DLQ, sweeper schedule
 *   OutboundEvents infra/constructs/outbound-events.ts  the table's stream -> publish-events -> the bus
 *   Ledger         infra/constructs/ledger.ts           the table's stream -> sequence-ledger (movements)
 *   Monitoring  infra/constructs/monitoring.ts   alarms -> SNS, dashboard
 */
import { CfnOutput, RemovalPolicy, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { API_CLIENTS, type ApiClientName } from '../functions/api-clients.js';
import { Access } from './constructs/access.js';
import { Api } from './constructs/api.js';
import { Data } from './constructs/data.js';
import { Events } from './constructs/events.js';
import { Functions } from './constructs/functions.js';
import { Monitoring } from './constructs/monitoring.js';
import { Ledger } from './constructs/ledger.js';
import { OutboundEvents } from './constructs/outbound-events.js';
import type { Settings } from './settings.js';
import { pascalCase } from './constructs/functions.js';

export interface FulfillmentStackProps extends StackProps {
  readonly settings: Settings;
  /** Tests only: skip esbuild (see FulfillmentFunctionProps.placeholderCode). */
  readonly placeholderCode?: boolean;
}

export class FulfillmentStack extends Stack {
  readonly data: Data;
  readonly functions: Functions;
  readonly access: Access;
  readonly api: Api;
  readonly events: Events;
  readonly outboundEvents: OutboundEvents;
  readonly ledger: Ledger;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: FulfillmentStackProps) {
    super(scope, id, {
      description: `Fulfillment service (${props.settings.stage}): catalog, stock, orders shipped in packages of at most 1800 g`,
      ...props,
    });
    const { settings } = props;
    const logRemovalPolicy = settings.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    Tags.of(this).add('service', 'fulfillment');
    Tags.of(this).add('stage', settings.stage);

    this.data = new Data(this, 'Data', { protectData: settings.protectData });

    this.functions = new Functions(this, 'Functions', {
      settings,
      table: this.data.table,
      ...(props.placeholderCode ? { placeholderCode: true } : {}),
    });

    this.access = new Access(this, 'Access', {
      stage: settings.stage,
      domainPrefix: settings.authDomainPrefix ?? Access.defaultDomainPrefix(this, settings.stage),
      protectData: settings.protectData,
    });

    this.api = new Api(this, 'Api', {
      authorizer: this.access.authorizer,
      stage: settings.stage,
      functions: this.functions.byName,
      corsOrigins: settings.corsOrigins,
      rateLimit: settings.apiRateLimit,
      burstLimit: settings.apiBurstLimit,
      logRetention: settings.logRetention,
      logRemovalPolicy,
    });

    // The console signs operators in through the user pool and comes back to itself.
    const consoleUrl = `${this.api.url}/console`;
    this.access.setConsoleUrl(consoleUrl);
    this.functions.byName.console.addEnvironment('CONSOLE_SIGN_IN', this.toJsonString(this.access.consoleSignIn));

    this.events = new Events(this, 'Events', {
      stage: settings.stage,
      restockEventSource: settings.restockEventSource,
      processRestock: this.functions.byName['process-restock'],
      sweeper: this.functions.byName.sweeper,
      protectData: settings.protectData,
    });

    this.outboundEvents = new OutboundEvents(this, 'OutboundEvents', {
      bus: this.events.bus,
      table: this.data.table,
      publisher: this.functions.byName['publish-events'],
      protectData: settings.protectData,
    });

    this.ledger = new Ledger(this, 'Ledger', {
      table: this.data.table,
      sequencer: this.functions.byName['sequence-ledger'],
      protectData: settings.protectData,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: settings.stage,
      functions: this.functions.all,
      sweeper: this.functions.byName.sweeper,
      httpApi: this.api.httpApi,
      table: this.data.table,
      deadLetterQueue: this.events.deadLetterQueue,
      outboundEvents: {
        publisher: this.functions.byName['publish-events'],
        deadLetterQueue: this.outboundEvents.deadLetterQueue,
      },
      ledger: {
        sequencer: this.functions.byName['sequence-ledger'],
        deadLetterQueue: this.ledger.deadLetterQueue,
      },
      oldestBackorderAlarmSeconds: settings.oldestBackorderAlarmSeconds,
      protectData: settings.protectData,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.url,
      description: 'Base URL of the HTTP API, e.g. <ApiUrl>/health',
    });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `${this.api.url}/console`,
      description: "The operators' console: operators sign in there with their Cognito user",
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.events.bus.eventBusName,
      description: 'Bus for Restock events, and of the outbound events (source fulfillment.service)',
    });
    new CfnOutput(this, 'RestockEventSource', {
      value: settings.restockEventSource,
      description: 'The only accepted source of Restock events',
    });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName, description: 'The DynamoDB table' });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.events.deadLetterQueue.queueUrl,
      description: 'Restock events that could not be applied',
    });
    new CfnOutput(this, 'EventsDeadLetterQueueUrl', {
      value: this.outboundEvents.deadLetterQueue.queueUrl,
      description: 'Stream records whose outbound events could not be published (docs/runbook.md)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.monitoring.topic.topicArn,
      description: 'SNS topic of every alarm',
    });
    new CfnOutput(this, 'DashboardName', {
      value: this.monitoring.dashboard.dashboardName,
      description: 'CloudWatch dashboard',
    });
    new CfnOutput(this, 'ApiAccessLogGroup', {
      value: this.api.accessLogs.logGroupName,
      description: 'JSON access logs of the HTTP API',
    });
    new CfnOutput(this, 'TokenUrl', {
      value: this.access.tokenUrl,
      description:
        'OAuth 2.0 token endpoint: POST grant_type=client_credentials with a client id and secret (docs/runbook.md)',
    });
    new CfnOutput(this, 'UserPoolId', {
      value: this.access.userPool.userPoolId,
      description: 'Cognito user pool of the API clients',
    });
    for (const name of Object.keys(API_CLIENTS) as ApiClientName[]) {
      // The id only: the secret stays in Cognito (describe-user-pool-client), never in outputs or logs.
      new CfnOutput(this, `${pascalCase(name)}ClientId`, {
        value: this.access.clients[name].userPoolClientId,
        description: `App client "${name}" (${API_CLIENTS[name].description}): scopes ${API_CLIENTS[name].scopes.join(', ')}`,
      });
    }
    new CfnOutput(this, 'PublishEventsFunctionName', {
      value: this.functions.byName['publish-events'].functionName,
      description:
        'Invoke with stream records named by an outbound events dead letter to publish them (docs/runbook.md)',
    });
    new CfnOutput(this, 'ProcessRestockFunctionName', {
      value: this.functions.byName['process-restock'].functionName,
      description: 'Invoke with a dead-lettered Restock event to apply it exactly once (docs/deploy.md)',
    });
  }
}

/** `Fulfillment-dev`, `Fulfillment-prod`: stages side by side in one account. */
export function stackName(settings: Settings): string {
  return `Fulfillment-${settings.stage}`;
}
