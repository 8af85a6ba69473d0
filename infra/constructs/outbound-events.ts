/**
 * Outbound events (SPEC v2): the table's stream feeds the publish-events function, which puts
 * PackageShipped, OrderFulfilled, OrderCancelled and StockWrittenOff on the service's bus.
 *
 * A small function rather than an EventBridge Pipe (docs/design.md "Outbound events"): whether an
 * order is fulfilled or cancelled needs a read of the order, and the events' shapes (one per
 * package, the OrderSummary) are the domain's, tested with the rest of it.
 *
 * At least once, and only what committed: the stream holds only committed changes; a batch whose
 * events were not all published reports the records that failed (partial batch response) and
 * Lambda delivers them again from the first one. A batch whose function throws is split in two
 * and retried (bisect), so one bad record cannot hold back the others. Records still failing
 * after every retry, or older than the record age limit, are described (shard and sequence
 * numbers, not the records themselves) in the dead-letter queue, which an alarm watches
 * (docs/runbook.md: re-publishing them while the stream still holds them, 24 hours).
 */
import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.js';
import { PUBLISHED_EVENT_NAME, PUBLISHED_SORT_KEY_PREFIXES } from '../../functions/store/stream-filter.js';
import type { FulfillmentFunction } from './fulfillment-function.js';

export interface OutboundEventsProps {
  readonly bus: IEventBus;
  readonly table: ITableV2;
  readonly publisher: FulfillmentFunction;
  /** Keep the dead-letter queue when the stack is deleted: its messages name events not published. */
  readonly protectData: boolean;
}

/*
 * Batches of 20 records: most are one shipment (a few packages) and one order read each.
 * Retries: a failing batch is retried up to 100 times within 6 hours, so that an outage of
 * EventBridge or DynamoDB is ridden out (the iterator age alarm pages within minutes meanwhile),
 * while a record that can never be published ends in the dead-letter queue instead of holding
 * its shard for the stream's whole 24 hours.
 */
export const OUTBOUND_DELIVERY = {
  batchSize: 20,
  retryAttempts: 100,
  maxRecordAge: Duration.hours(6),
} as const;

export class OutboundEvents extends Construct {
  readonly deadLetterQueue: Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: OutboundEventsProps) {
    super(scope, id);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', {
      protectData: props.protectData,
      deadLetterOf: 'the outbound events stream mapping (its on-failure destination)',
    });

    // The function learns the bus from its environment and may put events on it, nothing else.
    props.publisher.addEnvironment('EVENT_BUS_NAME', props.bus.eventBusName);
    props.bus.grantPutEventsTo(props.publisher);

    this.eventSource = new DynamoEventSource(props.table, {
      // From the start of the stream: nothing committed after the stream exists is skipped.
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: OUTBOUND_DELIVERY.batchSize,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: OUTBOUND_DELIVERY.retryAttempts,
      maxRecordAge: OUTBOUND_DELIVERY.maxRecordAge,
      onFailure: new SqsDlq(this.deadLetterQueue),
      // Only inserts of the items that make events (functions/store/stream-filter.ts) invoke the
      // function; product updates, queue entries and restocks, most of the stream, do not.
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual(PUBLISHED_EVENT_NAME),
          dynamodb: { Keys: { sk: { S: PUBLISHED_SORT_KEY_PREFIXES.flatMap((p) => FilterRule.beginsWith(p)) } } },
        }),
      ],
    });
    props.publisher.addEventSource(this.eventSource);
  }
}
