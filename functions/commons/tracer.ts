/**
 * One X-Ray tracer per process (Powertools). In Lambda, with active tracing, every invocation
 * gets a `## <function>` subsegment annotated with the cold start, the service and, once known,
 * the order_id, and every DynamoDB call below it is its own subsegment (operation, table,
 * consumed time, throttles and conditional-check failures as faults or errors).
 *
 * Outside Lambda (npm start, tests) Powertools turns tracing off by itself, and every call here
 * does nothing.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj, Request } from '@middy/core';
import { SERVICE_NAME } from './metrics-names.js';

export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  // The service calls only DynamoDB and EventBridge, whose clients are captured on their own
  // (commons/dynamodb.ts, bus/eventbridge-publisher.ts).
  captureHTTPsRequests: false,
});

type Segment = NonNullable<ReturnType<typeof tracer.getSegment>>;
const SEGMENTS = 'fulfillment.trace';

/**
 * Runs each invocation inside a `## <function name>` subsegment of Lambda's facade segment.
 * This is Powertools' `captureLambdaHandler` middleware, except for the name: that one names the
 * subsegment after `_HANDLER`, which is `index.handler` for every function of this stack, while
 * the runbook and the X-Ray console read the function's name. Like it, the segments of an
 * invocation live on its middy request (never in this closure), and responses are not recorded:
 * an order's packages belong in its logs and table, not in X-Ray.
 */
export function traceInvocation(): MiddlewareObj {
  const close = (request: Request) => {
    const segments = (request.internal as Record<string, unknown>)[SEGMENTS] as
      | { parent: Segment; subsegment: Segment }
      | undefined;
    if (!segments) return;
    segments.subsegment.close();
    tracer.setSegment(segments.parent);
  };
  return {
    before: (request) => {
      if (!tracer.isTracingEnabled()) return;
      const parent = tracer.getSegment();
      if (!parent) return;
      const subsegment = parent.addNewSubsegment(`## ${request.context.functionName || 'handler'}`);
      request.internal = { ...request.internal, [SEGMENTS]: { parent, subsegment } };
      tracer.setSegment(subsegment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    },
    after: close,
    onError: (request) => {
      // An error a middleware already answered (a problem response) is not a failed invocation.
      if (request.response === undefined && request.error) tracer.addErrorAsMetadata(request.error);
      close(request);
    },
  };
}
