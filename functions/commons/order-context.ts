/**
 * The order a request is about, on the log and on the trace. Kept apart from tracer.ts so that
 * the DynamoDB client (which the tracer instruments) does not create the logger when imported.
 */
import { logger } from './logger.js';
import { tracer } from './tracer.js';

/**
 * Names the order a request is about, on every log line that follows in this invocation and on
 * its trace, so an operator can go from an order_id to its logs (Logs Insights) and to its trace
 * (X-Ray `annotation.order_id = "..."`), and from either to the other through `xray_trace_id`.
 * An appended key is the invocation's own and ends with it (commons/lambda-handler.ts).
 */
export function tagOrder(orderId: string | number): void {
  logger.appendKeys({ order_id: orderId });
  tracer.putAnnotation('order_id', String(orderId));
}
