/**
 * CDK assertions for issue 3, one describe per item. The stack is synthesized twice, once per
 * file: with no context (the dev defaults) and as a configured prod stage.
 */
import { readFileSync } from 'node:fs';
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { HttpMethod, HttpRouteKey } from 'aws-cdk-lib/aws-apigatewayv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_SCOPES, methodsOf, routes } from '../../functions/routes.js';
import { API_CLIENTS, RESOURCE_SERVER_ID } from '../../functions/api-clients.js';
import {
  LEDGER_EVENT_NAME,
  LEDGER_SORT_KEY,
  PUBLISHED_EVENT_NAME,
  PUBLISHED_SORT_KEY_PREFIXES,
} from '../../functions/store/stream-filter.js';
import { createTableInput, TTL_ATTRIBUTE } from '../../functions/store/table-definition.js';
import { FUNCTION_NAMES, FUNCTION_SIZING, type FunctionName } from '../../infra/handlers.js';
import { CUSTOM_METRICS } from '../../infra/metrics.js';
import { TABLE_ACCESS } from '../../infra/permissions.js';
import { CDK_JSON, referencedId, resourcesOfType, synthesize, type Synthesized } from './synth.js';

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const PROD_CONTEXT = {
  stage: 'prod',
  corsOrigins: 'https://ops.example.com,https://backup.example.com',
  alarmEmail: 'oncall@example.com',
  oldestBackorderAlarmSeconds: '1800',
  restockEventSource: 'warehouse.restock',
  apiRateLimit: '50',
  apiBurstLimit: '80',
};

let dev: Synthesized;
let prod: Synthesized;

// Generous: a busy 2-core CI runner can take several seconds for the first synth.
beforeAll(() => {
  dev = synthesize();
  prod = synthesize(PROD_CONTEXT);
}, 120_000);

const functionId = (synth: Synthesized, name: FunctionName) => synth.logicalId(synth.stack.functions.byName[name]);
const tableId = (synth: Synthesized) => synth.logicalId(synth.stack.data.table);
const alarmNamed = (synth: Synthesized, name: string) => {
  const found = resourcesOfType(synth, 'AWS::CloudWatch::Alarm').find(
    ([, alarm]) => alarm.Properties.AlarmName === name,
  );
  expect(found, `alarm ${name}`).toBeDefined();
  return found![1].Properties;
};

/** Renders an IAM resource (string, GetAtt or Join) as text: `TableId.Arn/index/catalog`. */
function resourceText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::GetAtt']) return `${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}`;
  if (v.Ref) return v.Ref;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(resourceText).join(v['Fn::Join'][0]);
  return JSON.stringify(value);
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every policy statement attached to the role of one function. */
function statementsOf(synth: Synthesized, name: FunctionName): Statement[] {
  const fn = synth.json.Resources[functionId(synth, name)]!;
  const roleId = referencedId(fn.Properties.Role)!;
  return resourcesOfType(synth, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as unknown[]).some((role) => referencedId(role) === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

describe('1. CDK app: one stack, constructs by concern, settings from context', () => {
  it('cdk.json runs infra/app.ts', () => {
    expect(CDK_JSON.app).toBe('npx tsx infra/app.ts');
  });

  it('names the stack after the stage, dev by default', () => {
    expect(dev.stack.stackName).toBe('Fulfillment-dev');
    expect(prod.stack.stackName).toBe('Fulfillment-prod');
  });

  it('splits the stack into Data, Functions, Api, Events and Monitoring', () => {
    const ids = dev.stack.node.children.map((child) => child.node.id);
    expect(ids).toEqual(expect.arrayContaining(['Data', 'Functions', 'Api', 'Events', 'Monitoring']));
  });

  it('outputs the API URL, bus name, table name, DLQ URL and alarm topic', () => {
    for (const output of [
      'ApiUrl',
      'EventBusName',
      'RestockEventSource',
      'TableName',
      'DeadLetterQueueUrl',
      'EventsDeadLetterQueueUrl',
      'AlarmTopicArn',
      'DashboardName',
      'ApiAccessLogGroup',
      'ProcessRestockFunctionName',
      'PublishEventsFunctionName',
    ]) {
      dev.template.hasOutput(output, {});
    }
    dev.template.hasOutput('ApiUrl', {
      Value: { 'Fn::GetAtt': [dev.logicalId(dev.stack.api.httpApi), 'ApiEndpoint'] },
    });
    prod.template.hasOutput('RestockEventSource', { Value: 'warehouse.restock' });
  });
});

describe('2. Tables: from the shared definition, on-demand, PITR, TTL, encrypted, protected in prod', () => {
  it('has exactly one table, with the keys and indexes of createTableInput()', () => {
    const input = createTableInput('ignored');
    dev.template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: input.KeySchema,
      AttributeDefinitions: Match.arrayEquals(input.AttributeDefinitions!.map((a) => Match.objectEquals({ ...a }))),
      GlobalSecondaryIndexes: input.GlobalSecondaryIndexes!.map((index) =>
        Match.objectLike({ IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection }),
      ),
    });
  });

  it('has the stream of createTableInput(), with new and old images, for the outbound events', () => {
    const input = createTableInput('ignored');
    expect(input.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: input.StreamSpecification!.StreamViewType },
    });
  });

  it('bills on demand, keeps point-in-time recovery, expires idempotency records by TTL, encrypts with KMS', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('can be deleted in dev, and is protected and retained in prod', () => {
    const devTable = dev.json.Resources[tableId(dev)]!;
    expect(devTable.DeletionPolicy).toBe('Delete');
    expect(devTable.Properties.Replicas[0].DeletionProtectionEnabled).toBe(false);

    const prodTable = prod.json.Resources[tableId(prod)]!;
    expect(prodTable.DeletionPolicy).toBe('Retain');
    expect(prodTable.UpdateReplacePolicy).toBe('Retain');
    expect(prodTable.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
  });
});

describe('3. Functions: one per handler, house defaults', () => {
  it('has one function per handler of the route table plus the sweeper and the stream readers', () => {
    expect([...FUNCTION_NAMES].sort()).toEqual(
      [
        'api-docs',
        'cancel-order',
        'console',
        'get-lot',
        'get-order',
        'health',
        'init-catalog',
        'list-movements',
        'list-orders',
        'list-products',
        'process-order',
        'process-restock',
        'publish-events',
        'recall-lot',
        'sequence-ledger',
        'sweeper',
        'write-offs',
      ].sort(),
    );
    dev.template.resourceCountIs('AWS::Lambda::Function', FUNCTION_NAMES.length);
  });

  it.each(FUNCTION_NAMES)('%s: Node.js 22 on arm64, X-Ray active, sized as infra/handlers.ts says', (name) => {
    const fn = dev.json.Resources[functionId(dev, name)]!.Properties;
    expect(fn.Runtime).toBe('nodejs22.x');
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    expect(fn.MemorySize).toBe(FUNCTION_SIZING[name].memorySize);
    expect(fn.Timeout).toBe(FUNCTION_SIZING[name].timeout.toSeconds());
  });

  it.each(FUNCTION_NAMES)('%s: gets the table and settings through its environment', (name) => {
    // The console's sign-in settings are checked in section 9.
    const { CONSOLE_SIGN_IN, ...env } = prod.json.Resources[functionId(prod, name)]!.Properties.Environment.Variables;
    expect(CONSOLE_SIGN_IN === undefined, name).toBe(name !== 'console');
    const drainBudget = FUNCTION_SIZING[name].drainBudget;
    expect(env).toEqual({
      TABLE_NAME: { Ref: tableId(prod) },
      POWERTOOLS_SERVICE_NAME: 'fulfillment',
      POWERTOOLS_METRICS_NAMESPACE: 'Fulfillment',
      STAGE: 'prod',
      LOG_LEVEL: 'INFO',
      RESTOCK_EVENT_SOURCE: 'warehouse.restock',
      SERVICE_VERSION: PACKAGE_VERSION,
      NODE_OPTIONS: '--enable-source-maps',
      ...(drainBudget ? { DRAIN_BUDGET_MS: String(drainBudget.toMilliseconds()) } : {}),
      ...(name === 'publish-events' ? { EVENT_BUS_NAME: { Ref: prod.logicalId(prod.stack.events.bus) } } : {}),
    });
    expect(env).not.toHaveProperty('DYNAMODB_ENDPOINT');
  });

  it('lets the functions that fill backorders drain within their timeout, and the sweeper longest', () => {
    expect(
      Object.entries(FUNCTION_SIZING)
        .filter(([, s]) => s.drainBudget)
        .map(([name]) => name)
        .sort(),
    ).toEqual(['process-restock', 'sweeper']);
    for (const sizing of Object.values(FUNCTION_SIZING)) {
      // drainDeadline stops 3 s before the timeout anyway; the budget should be the binding limit.
      if (sizing.drainBudget) expect(sizing.drainBudget.toSeconds() + 3).toBeLessThan(sizing.timeout.toSeconds());
    }
    expect(FUNCTION_SIZING.sweeper.drainBudget!.toSeconds()).toBeGreaterThan(
      FUNCTION_SIZING['process-restock'].drainBudget!.toSeconds(),
    );
  });

  it.each(FUNCTION_NAMES)('%s: logs to its own LogGroup with retention (30 days dev, 365 prod)', (name) => {
    for (const [synth, days] of [
      [dev, 30],
      [prod, 365],
    ] as const) {
      const fn = synth.json.Resources[functionId(synth, name)]!.Properties;
      const logGroup = synth.json.Resources[referencedId(fn.LoggingConfig.LogGroup)!]!;
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBe(days);
    }
    // No LogRetention custom resource (cdk-nag flags its Lambda and its managed policy).
    expect(resourcesOfType(dev, 'Custom::LogRetention')).toEqual([]);
  });

  it('ends every API function before the HTTP API 30 s integration timeout', () => {
    for (const route of routes) {
      expect(FUNCTION_SIZING[route.handler].timeout.toSeconds(), route.handler).toBeLessThan(30);
    }
  });

  it('gives the sweeper less than its one-minute period', () => {
    expect(FUNCTION_SIZING.sweeper.timeout.toSeconds()).toBeLessThan(60);
  });

  it('uses roles of its own, without AWS managed policies', () => {
    for (const [, role] of resourcesOfType(dev, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('4. HTTP API: every route of SPEC.md, throttling, CORS, access logs', () => {
  const routeResources = (synth: Synthesized) =>
    resourcesOfType(synth, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);

  const routeKeys = routes.flatMap((r) => methodsOf(r).map((method) => [`${method} ${r.path}`, r] as const));

  it.each(routeKeys)('%s invokes its handler (every GET route answers HEAD too)', (routeKey, route) => {
    const found = routeResources(dev).find((r) => r.RouteKey === routeKey);
    expect(found, routeKey).toBeDefined();
    const integrationId = found!.Target['Fn::Join'][1][1].Ref as string;
    const integration = dev.json.Resources[integrationId]!.Properties;
    expect(integration.IntegrationType).toBe('AWS_PROXY');
    expect(integration.PayloadFormatVersion).toBe('2.0');
    expect(referencedId(integration.IntegrationUri)).toBe(functionId(dev, route.handler));
  });

  it('has no route other than those of functions/routes.ts (no $default catch-all)', () => {
    expect(
      routeResources(dev)
        .map((r) => r.RouteKey)
        .sort(),
    ).toEqual(routeKeys.map(([key]) => key).sort());
  });

  it('serves the trailing-slash spelling through the same routes: a route key ending in "/" cannot be declared', () => {
    // API Gateway matches "/inventory/products/" to "GET /inventory/products" and passes the raw
    // path to the handler; a separate trailing-slash route is refused by CDK and by CloudFormation.
    for (const route of routes) {
      expect(() => HttpRouteKey.with(`${route.path}/`, HttpMethod[route.method])).toThrow(/not end with a "\/"/);
    }
    expect(routeResources(dev).every((r) => !String(r.RouteKey).endsWith('/'))).toBe(true);
  });

  it('throttles the default stage (100/200 by default, from context in prod)', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 },
    });
  });

  it('allows no cross-origin calls unless origins are configured, then only those', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://ops.example.com', 'https://backup.example.com'],
        AllowMethods: ['GET', 'POST', 'OPTIONS'],
        AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        ExposeHeaders: ['retry-after'],
      },
    });
  });

  it('writes JSON access logs to a LogGroup with retention', () => {
    const stage = resourcesOfType(dev, 'AWS::ApiGatewayV2::Stage')[0]![1].Properties;
    const logGroup = dev.json.Resources[referencedId(stage.AccessLogSettings.DestinationArn)!]!;
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      routeKey: '$context.routeKey',
    });
  });
});

describe('5. Events: bus, Restock rule with retries and DLQ, sweeper every minute', () => {
  const rules = (synth: Synthesized) => resourcesOfType(synth, 'AWS::Events::Rule').map(([, r]) => r.Properties);
  const queueId = (synth: Synthesized) => synth.logicalId(synth.stack.events.deadLetterQueue);

  it('has a custom bus named after the stage', () => {
    dev.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'fulfillment-dev' });
  });

  it('routes Restock events from the configured source only to process-restock, with retries and a DLQ', () => {
    for (const [synth, source] of [
      [dev, 'fulfillment.restock'],
      [prod, 'warehouse.restock'],
    ] as const) {
      const rule = rules(synth).find((r) => r.EventPattern)!;
      expect(referencedId(rule.EventBusName)).toBe(synth.logicalId(synth.stack.events.bus));
      expect(rule.EventPattern).toEqual({ source: [source], 'detail-type': ['Restock'] });
      expect(rule.Targets).toHaveLength(1);
      const [target] = rule.Targets;
      expect(referencedId(target.Arn)).toBe(functionId(synth, 'process-restock'));
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
      expect(referencedId(target.DeadLetterConfig.Arn)).toBe(queueId(synth));
    }
  });

  it('sends restock events the handler kept failing on to the same DLQ', () => {
    dev.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId(dev, 'process-restock') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId(dev), 'Arn'] } } },
    });
  });

  it('keeps dead letters encrypted, reachable over TLS only, for 14 days', () => {
    dev.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId(dev) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
          }),
        ]),
      },
    });
    expect(prod.json.Resources[queueId(prod)]!.DeletionPolicy).toBe('Retain');
  });

  it('runs the sweeper every minute, without retries (the next tick is the retry)', () => {
    const schedule = rules(dev).find((r) => r.ScheduleExpression)!;
    expect(schedule.ScheduleExpression).toBe('rate(1 minute)');
    expect(schedule.Targets).toHaveLength(1);
    expect(referencedId(schedule.Targets[0].Arn)).toBe(functionId(dev, 'sweeper'));
    expect(schedule.Targets[0].RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 });
    dev.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionId(dev, 'sweeper'), 'Arn'] },
    });
  });
});

const STREAM_READ_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

describe('6. Least privilege: each function gets exactly its DynamoDB actions', () => {
  it.each(FUNCTION_NAMES)('%s: actions of infra/permissions.ts on the table and its queried indexes only', (name) => {
    const table = `${tableId(dev)}.Arn`;
    const granted = new Map<string, string[]>();
    for (const statement of statementsOf(dev, name)) {
      const actions = list(statement.Action).filter((action) => action.startsWith('dynamodb:'));
      if (actions.length === 0) continue;
      expect(statement.Effect).toBe('Allow');
      for (const resource of list(statement.Resource).map(resourceText)) {
        granted.set(resource, [...(granted.get(resource) ?? []), ...actions].sort());
      }
    }
    const access = TABLE_ACCESS[name];
    const expected = new Map<string, string[]>();
    if (access.table.length > 0) expected.set(table, [...access.table].sort());
    for (const index of access.queriesIndexes) expected.set(`${table}/index/${index}`, ['dynamodb:Query']);
    // The stream's event source mapping reads the stream, on the stream's ARN alone.
    if (name === 'publish-events' || name === 'sequence-ledger') {
      expected.set(`${tableId(dev)}.StreamArn`, [...STREAM_READ_ACTIONS].sort());
    }
    expect(Object.fromEntries(granted)).toEqual(Object.fromEntries(expected));
  });

  it('grants no dynamodb:* and no DynamoDB action on "*" or on every index', () => {
    for (const [, policy] of resourcesOfType(dev, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        const actions = list(statement.Action);
        expect(actions.some((a) => a === '*' || a === 'dynamodb:*')).toBe(false);
        if (!actions.some((a) => a.startsWith('dynamodb:'))) continue;
        for (const resource of list(statement.Resource).map(resourceText)) {
          expect(resource).not.toBe('*');
          expect(resource).not.toMatch(/\/index\/\*$/);
        }
      }
    }
  });

  it('limits wildcard resources to X-Ray, which has no resource-level permissions', () => {
    for (const [, policy] of resourcesOfType(dev, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        if (list(statement.Resource).includes('*')) {
          expect(list(statement.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
        }
      }
    }
  });

  it('lets each function write only to its own LogGroup', () => {
    for (const name of FUNCTION_NAMES) {
      const logs = statementsOf(dev, name).filter((s) => list(s.Action).some((a) => a.startsWith('logs:')));
      const fn = dev.json.Resources[functionId(dev, name)]!.Properties;
      expect(logs.map((s) => resourceText(s.Resource))).toEqual([`${referencedId(fn.LoggingConfig.LogGroup)}.Arn`]);
    }
  });
});

describe('7. Alarms to an encrypted SNS topic, and a dashboard', () => {
  const topicId = (synth: Synthesized) => synth.logicalId(synth.stack.monitoring.topic);

  it('notifies an encrypted, TLS-only topic, and an e-mail address only when configured', () => {
    const keyId = dev.logicalId(dev.stack.monitoring.topic.masterKey as never);
    dev.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    dev.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    dev.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    dev.template.resourceCountIs('AWS::SNS::Subscription', 0);
    prod.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: topicId(prod) },
    });
  });

  it('sends every alarm, and its recovery, to the topic', () => {
    const alarms = resourcesOfType(dev, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBe(FUNCTION_NAMES.length * 3 + 12);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId(dev) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId(dev) }]);
    }
  });

  it.each(FUNCTION_NAMES)('%s: alarms on errors, throttles and p99 duration at 80 percent of its timeout', (name) => {
    const dimensions = [{ Name: 'FunctionName', Value: { Ref: functionId(dev, name) } }];
    expect(alarmNamed(dev, `fulfillment-dev-${name}-errors`)).toMatchObject({
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: dimensions,
      Threshold: 1,
    });
    expect(alarmNamed(dev, `fulfillment-dev-${name}-throttles`)).toMatchObject({
      MetricName: 'Throttles',
      Dimensions: dimensions,
      Threshold: 1,
    });
    expect(alarmNamed(dev, `fulfillment-dev-${name}-duration`)).toMatchObject({
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Dimensions: dimensions,
      Threshold: FUNCTION_SIZING[name].timeout.toMilliseconds() * 0.8,
    });
  });

  it('alarms on the API 5xx rate and p99 latency', () => {
    const rate = alarmNamed(dev, 'fulfillment-dev-Api5xxRate');
    expect(rate.Metrics.find((m: { Expression?: string }) => m.Expression).Expression).toMatch(
      /100 \* errors \/ requests/,
    );
    expect(
      rate.Metrics.map((m: any) => m.MetricStat?.Metric.MetricName)
        .filter(Boolean)
        .sort(),
    ).toEqual(['5xx', 'Count']);
    expect(alarmNamed(dev, 'fulfillment-dev-ApiLatencyP99')).toMatchObject({
      MetricName: 'Latency',
      Namespace: 'AWS/ApiGateway',
      ExtendedStatistic: 'p99',
    });
  });

  it('alarms on DynamoDB throttled requests and system errors', () => {
    for (const [alarmName, metricName] of [
      ['DynamoDbThrottles', 'ThrottledRequests'],
      ['DynamoDbSystemErrors', 'SystemErrors'],
    ]) {
      const alarm = alarmNamed(dev, `fulfillment-dev-${alarmName}`);
      const metrics = alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric);
      expect(metrics.length).toBeGreaterThan(0);
      for (const metric of metrics) {
        expect(metric).toMatchObject({ Namespace: 'AWS/DynamoDB', MetricName: metricName });
        expect(metric.Dimensions).toEqual(
          expect.arrayContaining([{ Name: 'TableName', Value: { Ref: tableId(dev) } }]),
        );
      }
    }
  });

  it('alarms as soon as one message is in the dead-letter queue', () => {
    expect(alarmNamed(dev, 'fulfillment-dev-RestockDeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [dev.logicalId(dev.stack.events.deadLetterQueue), 'QueueName'] } },
      ],
    });
  });

  it('alarms when the oldest backorder is older than the threshold from context (default 900 s)', () => {
    const expected = {
      Namespace: 'Fulfillment',
      MetricName: CUSTOM_METRICS.oldestBackorderAgeSeconds,
      Dimensions: [{ Name: 'service', Value: 'fulfillment' }],
    };
    expect(alarmNamed(dev, 'fulfillment-dev-OldestBackorderAge')).toMatchObject({ ...expected, Threshold: 900 });
    expect(alarmNamed(prod, 'fulfillment-prod-OldestBackorderAge')).toMatchObject({ ...expected, Threshold: 1800 });
  });

  it('alarms when the sweeper stops running', () => {
    expect(alarmNamed(dev, 'fulfillment-dev-SweeperNotRunning')).toMatchObject({
      MetricName: 'Invocations',
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('has a dashboard with orders and packages per minute and every custom metric', () => {
    dev.template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [, dashboard] = resourcesOfType(dev, 'AWS::CloudWatch::Dashboard')[0]!;
    expect(dashboard.Properties.DashboardName).toBe('fulfillment-dev');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('Orders per minute');
    expect(body).toContain('Packages per minute');
    for (const metric of Object.values(CUSTOM_METRICS)) expect(body).toContain(`\\"${metric}\\"`);
  });
});

describe('9. Access control: Cognito client credentials, a JWT authorizer, scopes per route', () => {
  const routeByKey = (synth: Synthesized, key: string) =>
    resourcesOfType(synth, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === key)![1].Properties;

  it("requires a token carrying the route's scope on every route that names one, and nothing on public routes", () => {
    const [authorizerId] = resourcesOfType(dev, 'AWS::ApiGatewayV2::Authorizer').map(([id]) => id);
    expect(authorizerId).toBeDefined();
    for (const route of routes) {
      // A HEAD route asks for the scope of its GET route.
      for (const method of methodsOf(route)) {
        const props = routeByKey(dev, `${method} ${route.path}`);
        if (route.scope) {
          expect(props, `${method} ${route.path}`).toMatchObject({
            AuthorizationType: 'JWT',
            AuthorizerId: { Ref: authorizerId },
            AuthorizationScopes: [`${RESOURCE_SERVER_ID}/${route.scope}`],
          });
        } else {
          expect(props.AuthorizationType ?? 'NONE', `${method} ${route.path}`).toBe('NONE');
        }
      }
    }
    // The writes and reads of SPEC are all protected; only health (and docs) are public.
    expect(routes.filter((r) => r.path.startsWith('/inventory/')).every((r) => r.scope)).toBe(true);
  });

  it("checks the issuer of the stack's user pool and the client ids of its app clients", () => {
    const authorizer = resourcesOfType(dev, 'AWS::ApiGatewayV2::Authorizer')[0]![1].Properties;
    const poolId = resourcesOfType(dev, 'AWS::Cognito::UserPool')[0]![0];
    expect(authorizer.AuthorizerType).toBe('JWT');
    expect(authorizer.IdentitySource).toEqual(['$request.header.Authorization']);
    expect(JSON.stringify(authorizer.JwtConfiguration.Issuer)).toContain(poolId);
    const clientIds = resourcesOfType(dev, 'AWS::Cognito::UserPoolClient').map(([id]) => id);
    expect(authorizer.JwtConfiguration.Audience.map((a: { Ref: string }) => a.Ref).sort()).toEqual(clientIds.sort());
  });

  it('defines every scope of functions/routes.ts on one resource server', () => {
    dev.template.resourceCountIs('AWS::Cognito::UserPoolResourceServer', 1);
    dev.template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: RESOURCE_SERVER_ID,
      Scopes: ACCESS_SCOPES.map((name) => Match.objectLike({ ScopeName: name })),
    });
  });

  it.each(Object.entries(API_CLIENTS))(
    'app client %s: client credentials with a secret, only its scopes',
    (name, client) => {
      const found = resourcesOfType(dev, 'AWS::Cognito::UserPoolClient').find(
        ([, c]) => c.Properties.ClientName === `fulfillment-dev-${name}`,
      );
      expect(found, name).toBeDefined();
      const props = found![1].Properties;
      expect(props).toMatchObject({
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthFlowsUserPoolClient: true,
        AccessTokenValidity: 60,
      });
      // `<resource server>/<scope>`, the server's identifier being a reference until deployed.
      const scopes = (props.AllowedOAuthScopes as unknown[]).map((scope) => resourceText(scope).split('/').pop());
      expect(scopes.sort()).toEqual([...client.scopes].sort());
    },
  );

  it("signs operators in to the console: authorization code with PKCE, no secret, back to the console's URL", () => {
    const found = resourcesOfType(dev, 'AWS::Cognito::UserPoolClient').find(
      ([, c]) => c.Properties.ClientName === 'fulfillment-dev-operators',
    );
    expect(found).toBeDefined();
    const [clientId, client] = found!;
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO'],
    });
    const scopes = (client.Properties.AllowedOAuthScopes as unknown[]).map((scope) =>
      resourceText(scope).split('/').pop(),
    );
    expect(scopes.sort()).toEqual([...ACCESS_SCOPES].sort());
    // The callback is the deployed API's console, not a placeholder.
    const [apiId] = resourcesOfType(dev, 'AWS::ApiGatewayV2::Api')[0]!;
    for (const urls of [client.Properties.CallbackURLs, client.Properties.LogoutURLs]) {
      expect(urls).toHaveLength(1);
      expect(JSON.stringify(urls)).toContain(apiId);
      expect(JSON.stringify(urls)).toContain('/console');
      expect(JSON.stringify(urls)).not.toContain('localhost');
    }
    // The console page learns where to sign in, and which client it is.
    const consoleFn = dev.json.Resources[functionId(dev, 'console')]!.Properties;
    const signIn = JSON.stringify(consoleFn.Environment.Variables.CONSOLE_SIGN_IN);
    for (const part of ['/oauth2/authorize', '/oauth2/token', clientId, 'fulfillment/orders:write']) {
      expect(signIn).toContain(part);
    }
    expect(JSON.stringify(dev.json.Outputs.ConsoleUrl.Value)).toContain('/console');
  });

  it('lets no one sign up, and keeps the pool in prod', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    prod.template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
    });
    dev.template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
  });

  it('outputs the token URL and each client id, never a client secret', () => {
    expect(Object.keys(dev.json.Outputs)).toEqual(
      expect.arrayContaining([
        'TokenUrl',
        'UserPoolId',
        'CatalogAdminClientId',
        'WarehouseClientId',
        'OrderingClientId',
        'ReaderClientId',
      ]),
    );
    expect(JSON.stringify(dev.json.Outputs)).not.toMatch(/ClientSecret/);
    expect(JSON.stringify(dev.json.Outputs.TokenUrl.Value)).toContain('/oauth2/token');
  });

  it('takes the hosted domain prefix from context, or derives it from stage and account', () => {
    const custom = synthesize({ authDomainPrefix: 'acme-fulfillment-dev' });
    custom.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-fulfillment-dev' });
    expect(JSON.stringify(resourcesOfType(dev, 'AWS::Cognito::UserPoolDomain')[0]![1].Properties.Domain)).toContain(
      'AWS::AccountId',
    );
  });
});

/** The event source mapping that feeds the function `name` (one per stream reader). */
function mappingOf(synth: Synthesized, name: string) {
  const mappings = resourcesOfType(synth, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => m.Properties.FunctionName?.Ref === functionId(synth, name as never),
  );
  expect(mappings).toHaveLength(1);
  return mappings[0]![1].Properties;
}

describe('11. The movement ledger: product changes on the stream -> sequence-ledger, in order, with a DLQ and alarms', () => {
  const ledgerQueueId = (synth: Synthesized) => synth.logicalId(synth.stack.ledger.deadLetterQueue);

  it('the stream has two readers, each with its own mapping', () => {
    expect(resourcesOfType(dev, 'AWS::Lambda::EventSourceMapping')).toHaveLength(2);
  });

  it("feeds sequence-ledger from the table's stream, from its start, one batch per shard at a time, no partial batches", () => {
    const props = mappingOf(dev, 'sequence-ledger');
    expect(props.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId(dev), 'StreamArn'] });
    expect(props).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      ParallelizationFactor: 1,
      MaximumRetryAttempts: 1000,
      MaximumRecordAgeInSeconds: 12 * 3600,
    });
    // A product's changes are listed in commit order: a batch is retried whole, never in part.
    expect(props.FunctionResponseTypes).toBeUndefined();
    expect(props.DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [ledgerQueueId(dev), 'Arn'] } },
    });
    expect(prod.json.Resources[ledgerQueueId(prod)]!.DeletionPolicy).toBe('Retain');
  });

  it('invokes the sequencer only for changes of product items (functions/store/stream-filter.ts)', () => {
    const [filter] = mappingOf(dev, 'sequence-ledger').FilterCriteria.Filters;
    expect(JSON.parse(filter.Pattern)).toEqual({
      eventName: [LEDGER_EVENT_NAME],
      dynamodb: { Keys: { sk: { S: [LEDGER_SORT_KEY] } } },
    });
  });

  it('alarms on a dead letter, a ledger 5 minutes behind, and any write that did not match its product', () => {
    expect(alarmNamed(dev, 'fulfillment-dev-LedgerDeadLetters')).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ledgerQueueId(dev), 'QueueName'] } }],
    });
    expect(alarmNamed(dev, 'fulfillment-dev-LedgerIteratorAge')).toMatchObject({
      MetricName: 'IteratorAge',
      Threshold: 5 * 60_000,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(dev, 'sequence-ledger') } }],
    });
    expect(alarmNamed(dev, 'fulfillment-dev-LedgerProblems')).toMatchObject({
      MetricName: 'LedgerProblems',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });
});

describe('10. Outbound events: the table stream -> publish-events -> the bus, with a DLQ and alarms', () => {
  const mapping = (synth: Synthesized) => mappingOf(synth, 'publish-events');
  const eventsQueueId = (synth: Synthesized) => synth.logicalId(synth.stack.outboundEvents.deadLetterQueue);

  it("feeds publish-events from the table's stream, from its start, with partial batch responses", () => {
    const props = mapping(dev);
    expect(props.EventSourceArn).toEqual({ 'Fn::GetAtt': [tableId(dev), 'StreamArn'] });
    expect(props.FunctionName).toEqual({ Ref: functionId(dev, 'publish-events') });
    expect(props).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 20,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 100,
      MaximumRecordAgeInSeconds: 6 * 3600,
    });
  });

  it('sends what still fails to a dead-letter queue: encrypted, TLS only, 14 days, kept in prod', () => {
    expect(mapping(dev).DestinationConfig).toEqual({
      OnFailure: { Destination: { 'Fn::GetAtt': [eventsQueueId(dev), 'Arn'] } },
    });
    expect(dev.json.Resources[eventsQueueId(dev)]!.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: eventsQueueId(dev) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    expect(prod.json.Resources[eventsQueueId(prod)]!.DeletionPolicy).toBe('Retain');
  });

  it('invokes the function only for inserts of the items that make events (functions/store/stream-filter.ts)', () => {
    const [filter] = mapping(dev).FilterCriteria.Filters;
    expect(JSON.parse(filter.Pattern)).toEqual({
      eventName: [PUBLISHED_EVENT_NAME],
      dynamodb: { Keys: { sk: { S: PUBLISHED_SORT_KEY_PREFIXES.map((prefix) => ({ prefix })) } } },
    });
  });

  it('lets publish-events, and no other function, put events on the bus, and names the bus in its environment', () => {
    const busArn = `${dev.logicalId(dev.stack.events.bus)}.Arn`;
    for (const name of FUNCTION_NAMES) {
      const puts = statementsOf(dev, name).filter((s) => list(s.Action).some((a) => a.startsWith('events:')));
      if (name === 'publish-events') {
        expect(puts.map((s) => [list(s.Action), resourceText(s.Resource)])).toEqual([[['events:PutEvents'], busArn]]);
      } else {
        expect(puts, name).toEqual([]);
      }
    }
    const env = dev.json.Resources[functionId(dev, 'publish-events')]!.Properties.Environment.Variables;
    expect(env.EVENT_BUS_NAME).toEqual({ Ref: dev.logicalId(dev.stack.events.bus) });
  });

  it('alarms as soon as one message is in its dead-letter queue, and when events are 5 minutes late', () => {
    expect(alarmNamed(dev, 'fulfillment-dev-EventsDeadLetters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [eventsQueueId(dev), 'QueueName'] } }],
    });
    expect(alarmNamed(dev, 'fulfillment-dev-EventsIteratorAge')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 5 * 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(dev, 'publish-events') } }],
    });
  });

  it('shows the events published, their delay and their dead letters on the dashboard', () => {
    const [, dashboard] = resourcesOfType(dev, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const title of ['Outbound events per minute', 'Outbound events delay', 'Outbound events dead letters']) {
      expect(body).toContain(title);
    }
  });
});

describe('8. cdk-nag AwsSolutions passes, every acknowledgement justified', () => {
  it.each([
    ['dev', () => dev],
    ['prod', () => prod],
  ])('%s: no unacknowledged error or warning', (_stage, synth) => {
    const report = new AwsSolutionsChecks().validateScope(synth().stack);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it('acknowledges only the reviewed rules, each with a reason that explains it', () => {
    const acknowledged = new Map<string, string[]>();
    for (const construct of prod.stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          const rule = id.replace(/^annotation::/i, '');
          acknowledged.set(rule, [...(acknowledged.get(rule) ?? []), String(reason)]);
        }
      }
    }
    // A new acknowledgement must be added here on purpose, in review.
    expect([...acknowledged.keys()].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-COG8',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
      'AwsSolutions-SQS3',
    ]);
    for (const reasons of acknowledged.values()) {
      for (const reason of reasons) {
        expect(reason.length).toBeGreaterThan(80);
        expect(reason).not.toMatch(/\b(todo|fixme|tbd|n\/a)\b/i);
      }
    }
  });
});
