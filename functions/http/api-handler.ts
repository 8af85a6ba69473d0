/**
 * Wraps a route's work into a Lambda handler: correlation keys on the logger and the trace
 * (API Gateway's request id), every error mapped to problem+json in one place
 * (`problemResponse`), unexpected ones logged in full.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from '../commons/logger.js';
import { publishMetrics } from '../commons/metrics.js';
import { traced, tracer } from '../commons/tracer.js';
import { isRefusal, PROBLEM_TYPES, problemResponse } from './problem.js';

export type ApiWork = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export function apiHandler(work: ApiWork) {
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId;
    if (context) logger.addContext(context);
    logger.appendKeys({ correlation_id: requestId, route: event.routeKey });
    try {
      return await traced(context?.functionName || 'api', async () => {
        tracer.putAnnotation('route', event.routeKey ?? '');
        tracer.putAnnotation('correlation_id', requestId ?? '');
        try {
          return await work(event, context);
        } catch (error) {
          if (isRefusal(error)) {
            logger.info('request refused', { status: PROBLEM_TYPES[error.kind].status, detail: error.detail });
          } else {
            logger.error('request failed', error as Error);
            tracer.addErrorAsMetadata(error as Error);
          }
          return problemResponse(error, requestId);
        }
      });
    } finally {
      publishMetrics();
      logger.removeKeys(['correlation_id', 'route', 'order_id']);
    }
  };
}

/** The time a request may spend draining before it hands the rest to the sweeper. */
export function drainDeadline(context: Pick<Context, 'getRemainingTimeInMillis'> | undefined): number {
  const budget = Number(process.env.DRAIN_BUDGET_MS ?? 20_000);
  // Leave time to record and send the answer before the function's own timeout.
  const remaining = context?.getRemainingTimeInMillis ? context.getRemainingTimeInMillis() - 3_000 : budget;
  return Date.now() + Math.max(0, Math.min(budget, remaining));
}

/** For error paths: where a product's first line stood in the raw body's array. */
export function linePathIn(lines: unknown, prefix: string) {
  return (productId: number): string => {
    const index = Array.isArray(lines)
      ? lines.findIndex((l) => (l as { product_id?: unknown } | null)?.product_id === productId)
      : -1;
    return index >= 0 ? `${prefix}[${index}].product_id` : prefix || '';
  };
}
