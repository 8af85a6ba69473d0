/**
 * An API route's Lambda handler: the service's middlewares (commons/lambda-handler.ts) with API
 * Gateway's request id as correlation id and the route key as route, and every error answered
 * as problem+json in one place (`problemResponse`), unexpected ones logged in full.
 */
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { lambdaHandler } from '../commons/lambda-handler.js';
import { logger } from '../commons/logger.js';
import { tracer } from '../commons/tracer.js';
import { isRefusal, PROBLEM_TYPES, problemResponse } from './problem.js';

export type ApiWork = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export function apiHandler(work: ApiWork) {
  return lambdaHandler(work, (event) => ({
    correlationId: event.requestContext?.requestId,
    route: event.routeKey,
  })).use(problemAnswers());
}

/**
 * Innermost, so its `onError` runs first: it answers the error and returns nothing, so the
 * outer middlewares still publish the metrics, close the trace and drop the log keys.
 */
function problemAnswers(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    after: (request) => {
      if (request.response) request.response = headless(request.event, request.response);
    },
    onError: (request) => {
      const { error } = request;
      if (isRefusal(error)) {
        logger.info('request refused', { status: PROBLEM_TYPES[error.kind].status, detail: error.detail });
      } else {
        logger.error('request failed', error as Error);
        tracer.addErrorAsMetadata(error as Error);
      }
      request.response = headless(request.event, problemResponse(error, request.event.requestContext?.requestId));
    },
  };
}

/**
 * SPEC v2: a HEAD request gets the GET answer's status and headers (its length included) and no
 * body. The handler runs as for GET; only the body is dropped.
 */
function headless(
  event: APIGatewayProxyEventV2,
  response: APIGatewayProxyStructuredResultV2,
): APIGatewayProxyStructuredResultV2 {
  if (event.requestContext?.http?.method !== 'HEAD' || response.body === undefined) return response;
  const length = Buffer.byteLength(response.body, response.isBase64Encoded ? 'base64' : 'utf8');
  return { ...response, headers: { ...response.headers, 'content-length': length }, body: '' };
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
