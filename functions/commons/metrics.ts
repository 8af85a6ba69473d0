/** Custom metrics (CloudWatch embedded metric format through Powertools); names in metrics-names.ts. */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import { packingCounters, retryCounter } from './counters.js';
import { CUSTOM_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from './metrics-names.js';

export { CUSTOM_METRICS };

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});

export function countMetric(
  name: (typeof CUSTOM_METRICS)[keyof typeof CUSTOM_METRICS],
  value: number,
  unit: (typeof MetricUnit)[keyof typeof MetricUnit] = MetricUnit.Count,
): void {
  if (value > 0 || name === CUSTOM_METRICS.oldestBackorderAgeSeconds) metrics.addMetric(name, unit, value);
}

let seen = { retries: 0, fallbacks: 0 };

/** Flushes what this invocation recorded, plus retries and packing fallbacks since the last flush. */
export function publishMetrics(): void {
  countMetric(CUSTOM_METRICS.conditionRetries, retryCounter.conditionRetries - seen.retries);
  countMetric(CUSTOM_METRICS.packingFallbacks, packingCounters.fallbacks - seen.fallbacks);
  seen = { retries: retryCounter.conditionRetries, fallbacks: packingCounters.fallbacks };
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

/**
 * Publishes after every invocation, answered or failed. Not Powertools' `logMetrics` middleware:
 * it also adds the process-wide counts above, and `logMetrics` prints a "No application metrics
 * to publish" warning after every invocation that recorded none (every read and health check).
 */
export function publishMetricsAfterInvocation(): MiddlewareObj {
  return { after: publishMetrics, onError: publishMetrics };
}

export { MetricUnit };
