/**
 * Names of the custom metrics: the contract between the handlers and the CDK stack's alarms
 * and dashboard (infra/metrics.ts imports them from here). No runtime imports, so infra can use it.
 */
export const SERVICE_NAME = 'fulfillment';
export const METRICS_NAMESPACE = 'Fulfillment';

export const CUSTOM_METRICS = {
  /** Orders created (replays not counted). */
  ordersReceived: 'OrdersReceived',
  unitsShipped: 'UnitsShipped',
  packagesShipped: 'PackagesShipped',
  unitsBackordered: 'UnitsBackordered',
  /** Units that restocks (or the sweeper) gave to waiting orders. */
  backordersFilled: 'BackordersFilled',
  /** Emitted by the sweeper: age of the oldest order still waiting for stock. */
  oldestBackorderAgeSeconds: 'OldestBackorderAgeSeconds',
  /** Transactions retried after a condition failed under contention. */
  conditionRetries: 'ConditionRetries',
  /** Packings that fell back to first-fit-decreasing because the exact search ran out of time. */
  packingFallbacks: 'PackingFallbacks',
  /** Outbound events the bus took (repeats of a redelivered record counted again). */
  eventsPublished: 'EventsPublished',
  /** Stream records handed back to Lambda to deliver again (an event not taken, an order not read). */
  eventRecordsFailed: 'EventRecordsFailed',
  /** Movements the ledger's sequencer listed (a redelivered change counted again). */
  movementsListed: 'MovementsListed',
  /** Stock writes whose movements did not match their product's change: never expected (alarmed). */
  ledgerProblems: 'LedgerProblems',
} as const;
