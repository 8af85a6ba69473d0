/**
 * Everything that runs without an HTTP request: the service's EventBridge bus and its Restock
 * rule (with retries and a dead-letter queue, so no restock event is ever dropped silently), and
 * the sweeper that runs every minute (SPEC rule 8: no stock left on hand while an order waits).
 */
import { Duration } from 'aws-cdk-lib';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.js';
import type { FulfillmentFunction } from './fulfillment-function.js';

export interface EventsProps {
  readonly stage: string;
  /** The only `source` accepted for Restock events (context `restockEventSource`). */
  readonly restockEventSource: string;
  readonly processRestock: FulfillmentFunction;
  readonly sweeper: FulfillmentFunction;
  /** Keep the dead-letter queue when the stack is deleted: its messages are stock not yet counted. */
  readonly protectData: boolean;
}

export const RESTOCK_DETAIL_TYPE = 'Restock';

/*
 * Delivery of a Restock event is retried for up to a day: EventBridge retries invocations that
 * fail to start (throttling, a missing permission), Lambda retries a handler that throws. Replays
 * are harmless because the event id is the restock's idempotency key (SPEC "EventBridge restocks").
 */
export const RESTOCK_DELIVERY = {
  eventBridgeRetryAttempts: 185,
  eventBridgeMaxEventAge: Duration.hours(24),
  lambdaRetryAttempts: 2,
  lambdaMaxEventAge: Duration.hours(6),
} as const;

export class Events extends Construct {
  readonly bus: EventBus;
  readonly restockRule: Rule;
  readonly sweeperSchedule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);

    this.bus = new EventBus(this, 'Bus', {
      eventBusName: `fulfillment-${props.stage}`,
      description: 'Fulfillment service events; Restock events here are applied like POST /inventory/process_restock',
    });

    /*
     * Restock events that could not be applied after every retry land here, whichever side gave
     * up: EventBridge (could not invoke: the message is the original event) or Lambda (the handler
     * kept failing: the message is an invocation record whose requestPayload is the event).
     * 14 days, the SQS maximum, leaves time to fix the cause and redrive (docs/deploy.md).
     */
    this.deadLetterQueue = deadLetterQueue(this, 'RestockDeadLetterQueue', {
      protectData: props.protectData,
      deadLetterOf: 'the Restock rule and of process-restock',
    });

    this.restockRule = new Rule(this, 'RestockRule', {
      eventBus: this.bus,
      description: `Restock events from ${props.restockEventSource} -> process-restock`,
      eventPattern: { source: [props.restockEventSource], detailType: [RESTOCK_DETAIL_TYPE] },
      targets: [
        new LambdaFunction(props.processRestock, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: RESTOCK_DELIVERY.eventBridgeRetryAttempts,
          maxEventAge: RESTOCK_DELIVERY.eventBridgeMaxEventAge,
        }),
      ],
    });

    // Asynchronous invocations of process-restock come only from the rule above (the HTTP API
    // invokes it synchronously), so this configures the event path alone.
    props.processRestock.configureAsyncInvoke({
      retryAttempts: RESTOCK_DELIVERY.lambdaRetryAttempts,
      maxEventAge: RESTOCK_DELIVERY.lambdaMaxEventAge,
      onFailure: new SqsDestination(this.deadLetterQueue),
    });

    this.sweeperSchedule = new Rule(this, 'SweeperSchedule', {
      description: 'Every minute: the sweeper fills backorders left waiting and finishes work cut short',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        // The next tick is the retry: a failed sweep is not worth re-running once a minute has passed.
        new LambdaFunction(props.sweeper, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
      ],
    });
    props.sweeper.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
  }
}
