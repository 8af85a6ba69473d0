/**
 * Process-wide counts that every handler publishes as metrics after each invocation
 * (commons/metrics.ts). They live here, beside the metrics, so that publishing them needs
 * neither the store nor the use cases: a handler that never touches DynamoDB (api-docs) does not
 * bundle the SDK just to report that nothing was retried.
 */

/** Transactions retried after losing a race on their conditions (store/transactions.ts). */
export const retryCounter = { conditionRetries: 0 };

/** Packings that ran out of budget and fell back to the best found (use-cases/shipments.ts). */
export const packingCounters = { fallbacks: 0 };
