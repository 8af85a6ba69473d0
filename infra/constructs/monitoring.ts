/**
 * What an operator watches: alarms that notify an SNS topic (and an e-mail address when context
 * `alarmEmail` is set), and one CloudWatch dashboard with the same signals plus the business
 * rates (orders and packages per minute).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CUSTOM_METRICS, METRICS_DIMENSIONS, METRICS_NAMESPACE, type CustomMetricName } from '../metrics.js';
import type { FulfillmentFunction } from './fulfillment-function.js';
import { pascalCase } from './functions.js';

export interface MonitoringProps {
  readonly stage: string;
  readonly functions: readonly FulfillmentFunction[];
  readonly sweeper: FulfillmentFunction;
  readonly httpApi: HttpApi;
  readonly table: ITableV2;
  readonly deadLetterQueue: IQueue;
  /** The stream-fed publisher of outbound events and its dead-letter queue. */
  readonly outboundEvents: { readonly publisher: FulfillmentFunction; readonly deadLetterQueue: IQueue };
  /** The stream-fed sequencer of the movement ledger and its dead-letter queue. */
  readonly ledger: { readonly sequencer: FulfillmentFunction; readonly deadLetterQueue: IQueue };
  readonly alarmEmail?: string;
  readonly oldestBackorderAlarmSeconds: number;
  /** Whether the topic's key survives the stack (prod) or is scheduled for deletion with it. */
  readonly protectData: boolean;
}

/** Thresholds, named so the alarm descriptions and the docs can quote them. */
export const ALARM_THRESHOLDS = {
  /** p99 duration above this share of the function's timeout: it is about to time out. */
  durationShareOfTimeout: 0.8,
  /** Share of API requests answered 5xx, in percent, over 5 minutes with at least `minRequests`. */
  api5xxPercent: 1,
  api5xxMinRequests: 20,
  /** p99 end-to-end latency of the API. Writes may take seconds when a restock fills many orders. */
  apiP99LatencyMs: 10_000,
  /** Age of the oldest stream record not yet published: events are this late. */
  eventsIteratorAgeMs: 5 * 60_000,
  /** Age of the oldest product change not yet sequenced: the movement ledger is this far behind. */
  ledgerIteratorAgeMs: 5 * 60_000,
} as const;

/** DynamoDB operations the handlers call; ConditionCheckItem runs inside TransactWriteItems. */
const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
  Operation.TRANSACT_GET_ITEMS,
];

const FIVE_MINUTES = Duration.minutes(5);
const ONE_MINUTE = Duration.minutes(1);

export function customMetric(metricName: CustomMetricName, statistic: string, period: Duration = ONE_MINUTE): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { ...METRICS_DIMENSIONS },
    statistic,
    period,
  });
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.prefix = `fulfillment-${props.stage}`;

    /*
     * The topic is encrypted with a customer managed key because CloudWatch cannot publish to a
     * topic encrypted with the AWS managed aws/sns key: only a key policy we own can let
     * cloudwatch.amazonaws.com use the key.
     */
    const key = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts the ${this.prefix} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Fulfillment ${props.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      // AWS sends a confirmation e-mail first; nothing is delivered until it is confirmed.
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    }

    for (const fn of props.functions) this.functionAlarms(fn);

    // The sweeper is what keeps SPEC rule 8 in AWS; if its schedule stops, nothing else notices.
    this.alarm('SweeperNotRunning', {
      metric: props.sweeper.metricInvocations({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.BREACHING,
      description:
        'The sweeper has not run for 10 minutes: backorders cut short are not being filled (check the schedule rule).',
    });

    const requests = props.httpApi.metricCount({ statistic: 'Sum', period: FIVE_MINUTES });
    const serverErrors = props.httpApi.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES });
    const api5xxRate = new MathExpression({
      expression: `IF(requests >= ${ALARM_THRESHOLDS.api5xxMinRequests}, 100 * errors / requests, 0)`,
      usingMetrics: { requests, errors: serverErrors },
      label: 'API 5xx (% of requests)',
      period: FIVE_MINUTES,
    });
    this.alarm('Api5xxRate', {
      metric: api5xxRate,
      threshold: ALARM_THRESHOLDS.api5xxPercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description: `More than ${ALARM_THRESHOLDS.api5xxPercent}% of API requests answered 5xx over 5 minutes (bad input is 4xx, so any 5xx is a fault; see the access logs).`,
    });
    const apiP99 = props.httpApi.metricLatency({ statistic: 'p99', period: FIVE_MINUTES });
    this.alarm('ApiLatencyP99', {
      metric: apiP99,
      threshold: ALARM_THRESHOLDS.apiP99LatencyMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      description: `API p99 latency above ${ALARM_THRESHOLDS.apiP99LatencyMs} ms in 2 of 3 five-minute periods.`,
    });

    const tableThrottles = props.table.metricThrottledRequestsForOperations({
      operations: TABLE_OPERATIONS,
      period: ONE_MINUTE,
    });
    this.alarm('DynamoDbThrottles', {
      metric: tableThrottles,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description:
        'DynamoDB throttled requests in 3 of the last 5 minutes (a hot partition or a GSI that cannot keep up); the SDK retries, latency rises.',
    });
    const tableSystemErrors = props.table.metricSystemErrorsForOperations({
      operations: TABLE_OPERATIONS,
      period: ONE_MINUTE,
    });
    this.alarm('DynamoDbSystemErrors', {
      metric: tableSystemErrors,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      description: 'DynamoDB answered with system errors (HTTP 500) in the last minute.',
    });

    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: ONE_MINUTE,
    });
    this.alarm('RestockDeadLetters', {
      metric: dlqDepth,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description:
        'A Restock event could not be applied after every retry and waits in the dead-letter queue: the stock it carries is not counted yet (docs/deploy.md: redrive).',
    });

    const eventsDlqDepth = props.outboundEvents.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: ONE_MINUTE,
    });
    this.alarm('EventsDeadLetters', {
      metric: eventsDlqDepth,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description:
        'Outbound events of some committed changes were not published after every retry: the message names the stream records (docs/runbook.md: publish them again within 24 hours).',
    });
    const eventsIteratorAge = props.outboundEvents.publisher.metric('IteratorAge', {
      statistic: 'Maximum',
      period: ONE_MINUTE,
    });
    this.alarm('EventsIteratorAge', {
      metric: eventsIteratorAge,
      threshold: ALARM_THRESHOLDS.eventsIteratorAgeMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: `Outbound events are more than ${ALARM_THRESHOLDS.eventsIteratorAgeMs / 60_000} minutes late in 3 of the last 5 minutes: publish-events keeps failing or cannot keep up (docs/runbook.md).`,
    });

    this.alarm('LedgerDeadLetters', {
      metric: props.ledger.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: ONE_MINUTE,
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description:
        'Movements of some stock writes were not listed after every retry: the message names the stream records (docs/runbook.md "Movements missing": sequence them again within 24 hours).',
    });
    this.alarm('LedgerIteratorAge', {
      metric: props.ledger.sequencer.metric('IteratorAge', { statistic: 'Maximum', period: ONE_MINUTE }),
      threshold: ALARM_THRESHOLDS.ledgerIteratorAgeMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: `The movement ledger is more than ${ALARM_THRESHOLDS.ledgerIteratorAgeMs / 60_000} minutes behind in 3 of the last 5 minutes: sequence-ledger keeps failing or cannot keep up (docs/runbook.md).`,
    });
    this.alarm('LedgerProblems', {
      metric: customMetric(CUSTOM_METRICS.ledgerProblems, 'Sum', ONE_MINUTE),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      description:
        "A stock write's movements did not match its product's change: never expected; the function's log names the write (docs/runbook.md).",
    });

    const oldestBackorder = customMetric(CUSTOM_METRICS.oldestBackorderAgeSeconds, 'Maximum', FIVE_MINUTES);
    this.alarm('OldestBackorderAge', {
      metric: oldestBackorder,
      threshold: props.oldestBackorderAlarmSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description: `An order has waited for stock longer than ${props.oldestBackorderAlarmSeconds} s (context oldestBackorderAlarmSeconds).`,
    });

    this.dashboard = this.buildDashboard(props, {
      api5xxRate,
      apiP99,
      tableThrottles,
      tableSystemErrors,
      dlqDepth,
      oldestBackorder,
      eventsDlqDepth,
      eventsIteratorAge,
    });
  }

  private functionAlarms(fn: FulfillmentFunction): void {
    const name = fn.handlerName;
    const timeoutMs = fn.timeout!.toMilliseconds();
    this.alarm(`${name}-errors`, {
      metric: fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      description: `${name} threw (an unhandled error or a timeout) in the last 5 minutes.`,
    });
    this.alarm(`${name}-throttles`, {
      metric: fn.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      description: `${name} was throttled: the account's Lambda concurrency is exhausted.`,
    });
    const durationThreshold = Math.round(timeoutMs * ALARM_THRESHOLDS.durationShareOfTimeout);
    this.alarm(`${name}-duration`, {
      metric: fn.metricDuration({ statistic: 'p99', period: FIVE_MINUTES }),
      threshold: durationThreshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      description: `${name} p99 duration above ${durationThreshold} ms, ${ALARM_THRESHOLDS.durationShareOfTimeout * 100}% of its ${timeoutMs} ms timeout.`,
    });
  }

  private alarm(
    id: string,
    options: {
      metric: IMetric;
      threshold: number;
      comparisonOperator: ComparisonOperator;
      evaluationPeriods: number;
      datapointsToAlarm?: number;
      treatMissingData?: TreatMissingData;
      description: string;
    },
  ): Alarm {
    const { metric, description, ...rest } = options;
    const alarm = new Alarm(this, pascalCase(id), {
      alarmName: `${this.prefix}-${id}`,
      alarmDescription: description,
      metric,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      ...rest,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    // Recovery is news too: the person paged learns without looking that it is over.
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }

  private buildDashboard(
    props: MonitoringProps,
    m: {
      api5xxRate: IMetric;
      apiP99: IMetric;
      tableThrottles: IMetric;
      tableSystemErrors: IMetric;
      dlqDepth: IMetric;
      oldestBackorder: IMetric;
      eventsDlqDepth: IMetric;
      eventsIteratorAge: IMetric;
    },
  ): Dashboard {
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: this.prefix,
      defaultInterval: Duration.hours(3),
    });
    const perFunction = (pick: (fn: FulfillmentFunction) => IMetric) => props.functions.map(pick);
    const graph = (title: string, left: IMetric[], width = 8) => new GraphWidget({ title, left, width, height: 6 });

    dashboard.addWidgets(
      new TextWidget({
        markdown: `# Fulfillment (${props.stage})\nOrders and packages per minute, then the alarms' signals. Runbook: docs/deploy.md.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    dashboard.addWidgets(
      graph('Orders per minute', [customMetric(CUSTOM_METRICS.ordersReceived, 'Sum')]),
      graph('Packages per minute', [customMetric(CUSTOM_METRICS.packagesShipped, 'Sum')]),
      graph('Units per minute', [
        customMetric(CUSTOM_METRICS.unitsShipped, 'Sum'),
        customMetric(CUSTOM_METRICS.unitsBackordered, 'Sum'),
        customMetric(CUSTOM_METRICS.backordersFilled, 'Sum'),
      ]),
    );
    dashboard.addWidgets(
      graph('Oldest backorder (s)', [m.oldestBackorder]),
      graph('Contention and packing', [
        customMetric(CUSTOM_METRICS.conditionRetries, 'Sum'),
        customMetric(CUSTOM_METRICS.packingFallbacks, 'Sum'),
      ]),
      new SingleValueWidget({ title: 'Restock dead letters', metrics: [m.dlqDepth], width: 8, height: 6 }),
    );
    dashboard.addWidgets(
      graph('Outbound events per minute', [
        customMetric(CUSTOM_METRICS.eventsPublished, 'Sum'),
        customMetric(CUSTOM_METRICS.eventRecordsFailed, 'Sum'),
      ]),
      graph('Outbound events delay (iterator age, ms)', [m.eventsIteratorAge]),
      graph('Movement ledger: listed, problems, delay (ms)', [
        customMetric(CUSTOM_METRICS.movementsListed, 'Sum'),
        customMetric(CUSTOM_METRICS.ledgerProblems, 'Sum'),
        props.ledger.sequencer.metric('IteratorAge', { statistic: 'Maximum', period: ONE_MINUTE }),
      ]),
      new SingleValueWidget({
        title: 'Outbound events dead letters',
        metrics: [m.eventsDlqDepth],
        width: 8,
        height: 6,
      }),
    );
    dashboard.addWidgets(
      graph('API requests', [
        props.httpApi.metricCount({ statistic: 'Sum', period: ONE_MINUTE }),
        props.httpApi.metricClientError({ statistic: 'Sum', period: ONE_MINUTE }),
        props.httpApi.metricServerError({ statistic: 'Sum', period: ONE_MINUTE }),
      ]),
      graph('API 5xx rate (%)', [m.api5xxRate]),
      graph('API latency', [props.httpApi.metricLatency({ statistic: 'p50', period: ONE_MINUTE }), m.apiP99]),
    );
    dashboard.addWidgets(
      graph(
        'Function errors',
        perFunction((fn) => fn.metricErrors({ statistic: 'Sum', period: ONE_MINUTE, label: fn.handlerName })),
      ),
      graph(
        'Function throttles',
        perFunction((fn) => fn.metricThrottles({ statistic: 'Sum', period: ONE_MINUTE, label: fn.handlerName })),
      ),
      graph(
        'Function duration p99',
        perFunction((fn) => fn.metricDuration({ statistic: 'p99', period: ONE_MINUTE, label: fn.handlerName })),
      ),
    );
    dashboard.addWidgets(
      graph('DynamoDB throttled requests', [m.tableThrottles]),
      graph('DynamoDB system errors', [m.tableSystemErrors]),
      graph('DynamoDB consumed capacity', [
        props.table.metricConsumedReadCapacityUnits({ statistic: 'Sum', period: ONE_MINUTE }),
        props.table.metricConsumedWriteCapacityUnits({ statistic: 'Sum', period: ONE_MINUTE }),
      ]),
    );
    return dashboard;
  }
}
