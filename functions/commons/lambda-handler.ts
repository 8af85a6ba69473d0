/**
 * Every handler of the service is a middy handler with the same middlewares, so what an
 * invocation logs, traces and publishes is set in this one place:
 * - Powertools' `injectLambdaContext`: the Lambda context (function name, request id, cold
 *   start) on every log line, and with `resetKeys` every key the invocation appended
 *   (correlation_id, route, order_id) dropped when it ends;
 * - `traceInvocation` (tracer.ts): the invocation's `## <function>` X-Ray subsegment;
 * - `publishMetricsAfterInvocation` (metrics.ts): the invocation's metrics, published;
 * - the invocation's own keys: correlation_id (and route) on the log and the trace.
 *
 * Keys, metrics and the active trace segment are per invocation: Powertools keeps them in the
 * invocation's own context (the Lambda runtime's InvokeStore, an AsyncLocalStorage) whenever
 * invocations run concurrently in one process (AWS_LAMBDA_MAX_CONCURRENCY, set by Lambda on
 * Managed Instances and by `npm start`, whose handler loader runs each invocation in its own
 * context, as Lambda's runtime does). On demand a process runs one invocation at a time, and
 * `resetKeys` keeps one invocation's keys off the next.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './logger.js';
import { publishMetricsAfterInvocation } from './metrics.js';
import { traceInvocation, tracer } from './tracer.js';

/** What names an invocation on each of its log lines and on its trace. */
export interface InvocationKeys {
  /** API Gateway's request id, or the EventBridge event id. */
  correlationId?: string;
  /** The API route key, e.g. `POST /inventory/process_order`. */
  route?: string;
}

export function lambdaHandler<TEvent, TResult>(
  work: (event: TEvent, context: Context) => Promise<TResult>,
  keysOf: (event: TEvent) => InvocationKeys,
) {
  return middy<TEvent, TResult>(work)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(traceInvocation())
    .use(publishMetricsAfterInvocation())
    .use(invocationKeys(keysOf));
}

/** After the trace is opened, so the annotations land on the invocation's subsegment. */
function invocationKeys<TEvent>(keysOf: (event: TEvent) => InvocationKeys): MiddlewareObj<TEvent> {
  return {
    before: ({ event }) => {
      const { correlationId, route } = keysOf(event);
      if (correlationId !== undefined) {
        logger.setCorrelationId(correlationId);
        tracer.putAnnotation('correlation_id', correlationId);
      }
      if (route !== undefined) {
        logger.appendKeys({ route });
        tracer.putAnnotation('route', route);
      }
    },
  };
}
