/**
 * The movement ledger's sequencer (SPEC v2): the table's stream, filtered to changes of product
 * items, feeds the sequence-ledger function, which lists each stock write's movements in commit
 * order (functions/store/ledger-store.ts).
 *
 * In order and at least once: a failing batch is retried from its first record (no partial batch
 * responses: a product's later changes must not be listed before an earlier one), split in two
 * on error so one bad record cannot hold back the others for long. Records still failing after
 * every retry are described (shard and sequence numbers) in the dead-letter queue, which an alarm
 * watches: the stream holds them 24 hours (docs/runbook.md "Movements missing").
 */
import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.js';
import { LEDGER_EVENT_NAME, LEDGER_SORT_KEY } from '../../functions/store/stream-filter.js';
import type { FulfillmentFunction } from './fulfillment-function.js';

export interface LedgerProps {
  readonly table: ITableV2;
  readonly sequencer: FulfillmentFunction;
  /** Keep the dead-letter queue when the stack is deleted: its messages name movements not listed. */
  readonly protectData: boolean;
}

/*
 * Batches of 100 product changes: one BatchGet of their writes and one Put per write. Retried for
 * up to 12 hours (DynamoDB being out), half the stream's retention, so the runbook's replay still
 * has the records when a batch ends in the dead-letter queue.
 */
export const LEDGER_DELIVERY = {
  batchSize: 100,
  retryAttempts: 1000,
  maxRecordAge: Duration.hours(12),
} as const;

export class Ledger extends Construct {
  readonly deadLetterQueue: Queue;
  readonly eventSource: DynamoEventSource;

  constructor(scope: Construct, id: string, props: LedgerProps) {
    super(scope, id);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', {
      protectData: props.protectData,
      deadLetterOf: 'the ledger stream mapping (its on-failure destination)',
    });

    this.eventSource = new DynamoEventSource(props.table, {
      // From the start of the stream: no stock write committed after the stream exists is skipped.
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: LEDGER_DELIVERY.batchSize,
      bisectBatchOnError: true,
      retryAttempts: LEDGER_DELIVERY.retryAttempts,
      maxRecordAge: LEDGER_DELIVERY.maxRecordAge,
      // One batch per shard at a time: a product's changes are listed in the order they committed.
      parallelizationFactor: 1,
      onFailure: new SqsDlq(this.deadLetterQueue),
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual(LEDGER_EVENT_NAME),
          dynamodb: { Keys: { sk: { S: FilterRule.isEqual(LEDGER_SORT_KEY) } } },
        }),
      ],
    });
    props.sequencer.addEventSource(this.eventSource);
  }
}
