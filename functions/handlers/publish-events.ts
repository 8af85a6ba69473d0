/**
 * Fed by the table's stream (infra/constructs/outbound-events.ts): publishes the outbound events
 * of a batch of committed changes to the service's EventBridge bus, and answers with the records
 * whose events were not all published (a partial batch response), which Lambda delivers again
 * from the first of them. Events are therefore published at least once, and only for changes
 * that committed: a cancelled transaction never reaches the stream.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBridgePublisher } from '../bus/eventbridge-publisher.js';
import { lambdaHandler } from '../commons/lambda-handler.js';
import { countMetric, CUSTOM_METRICS } from '../commons/metrics.js';
import type { EventPublisher } from '../domain/outbound-events.js';
import { publishEvents } from '../use-cases/publish-events.js';

let publisher: EventPublisher | undefined;

export const handler = lambdaHandler(
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    publisher ??= eventBridgePublisher();
    const report = await publishEvents(
      event.Records.map((record) => ({ id: record.dynamodb?.SequenceNumber ?? '', record })),
      publisher,
    );
    countMetric(CUSTOM_METRICS.eventsPublished, report.published);
    countMetric(CUSTOM_METRICS.eventRecordsFailed, report.failedRecords.length);
    return { batchItemFailures: report.failedRecords.map((itemIdentifier) => ({ itemIdentifier })) };
  },
  (event) => ({ correlationId: event.Records[0]?.eventID }),
);
