/**
 * The custom metrics the handlers emit (CloudWatch embedded metric format through Powertools),
 * named once here for the alarms, the dashboard and the functions' environment.
 */
export const SERVICE_NAME = 'fulfillment';
export const METRICS_NAMESPACE = 'Fulfillment';
/** Powertools adds `service=<POWERTOOLS_SERVICE_NAME>` to every metric. */
export const METRICS_DIMENSIONS = { service: SERVICE_NAME } as const;

export const CUSTOM_METRICS = {
  /** Orders created (replays not counted). */
  ordersReceived: 'OrdersReceived',
  unitsShipped: 'UnitsShipped',
  packagesShipped: 'PackagesShipped',
  unitsBackordered: 'UnitsBackordered',
  backordersFilled: 'BackordersFilled',
  /** Emitted by the sweeper: age of the oldest order still waiting for stock. */
  oldestBackorderAgeSeconds: 'OldestBackorderAgeSeconds',
  /** Transactions retried after a condition failed under contention. */
  conditionRetries: 'ConditionRetries',
  /** Packings that fell back to first-fit-decreasing because the exact search ran out of time. */
  packingFallbacks: 'PackingFallbacks',
} as const;

export type CustomMetricName = (typeof CUSTOM_METRICS)[keyof typeof CUSTOM_METRICS];
