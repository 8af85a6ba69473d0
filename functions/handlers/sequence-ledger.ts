/**
 * Fed by the table's stream, filtered to changes of products (infra/constructs/ledger.ts): lists
 * the movements of each stock write in commit order. A batch that throws (DynamoDB unreachable)
 * is retried in order, so no movement is skipped and none is listed out of order.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaHandler } from '../commons/lambda-handler.js';
import { CUSTOM_METRICS, countMetric } from '../commons/metrics.js';
import { sequenceLedger } from '../use-cases/sequence-ledger.js';

export const handler = lambdaHandler(
  async (event: DynamoDBStreamEvent): Promise<void> => {
    const outcome = await sequenceLedger(event.Records);
    countMetric(CUSTOM_METRICS.movementsListed, outcome.movements);
    countMetric(CUSTOM_METRICS.ledgerProblems, outcome.problems);
  },
  (event) => ({ correlationId: event.Records[0]?.eventID }),
);
