/**
 * One X-Ray tracer per process (Powertools). In Lambda, with active tracing, every invocation
 * gets a `## <handler>` subsegment annotated with the cold start, the service and, once known,
 * the order_id, and every DynamoDB call below it is its own subsegment (operation, table,
 * consumed time, throttles and conditional-check failures as faults or errors).
 *
 * Outside Lambda (npm start, tests) Powertools turns tracing off by itself, and every call here
 * does nothing.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './metrics-names.js';

export const tracer = new Tracer({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
  // The service calls only DynamoDB, whose client is captured on its own (commons/dynamodb.ts).
  captureHTTPsRequests: false,
});

/**
 * Runs one invocation inside a `## <name>` subsegment of Lambda's facade segment, the manual
 * form of Powertools' `captureLambdaHandler` (the handlers are plain functions, not classes).
 * Responses are not recorded: an order's packages belong in its logs and table, not in X-Ray.
 */
export async function traced<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!tracer.isTracingEnabled()) return work();
  const parent = tracer.getSegment();
  if (!parent) return work();
  const subsegment = parent.addNewSubsegment(`## ${name}`);
  tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await work();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
