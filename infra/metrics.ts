/**
 * The custom metrics the handlers emit (CloudWatch embedded metric format through Powertools),
 * named once here for the alarms, the dashboard and the functions' environment.
 */
import { CUSTOM_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../functions/commons/metrics-names.js';

export { CUSTOM_METRICS, METRICS_NAMESPACE, SERVICE_NAME };
/** Powertools adds `service=<POWERTOOLS_SERVICE_NAME>` to every metric. */
export const METRICS_DIMENSIONS = { service: SERVICE_NAME } as const;

export type CustomMetricName = (typeof CUSTOM_METRICS)[keyof typeof CUSTOM_METRICS];
