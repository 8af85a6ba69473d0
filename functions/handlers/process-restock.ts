/**
 * POST /inventory/process_restock, and EventBridge `Restock` events on the service's bus.
 * Both run the same use case; the event id is the idempotency key of an event.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, EventBridgeEvent } from 'aws-lambda';
import { lambdaHandler } from '../commons/lambda-handler.js';
import { logger } from '../commons/logger.js';
import { countMetric, CUSTOM_METRICS } from '../commons/metrics.js';
import { DomainError, RequestInProgressError } from '../domain/errors.js';
import { parseRestockEventDetail, parseRestockRequest } from '../domain/requests.js';
import { apiHandler, drainDeadline, linePathIn } from '../http/api-handler.js';
import { idempotencyKey } from '../http/idempotency-key.js';
import { readJsonBody } from '../http/request-body.js';
import { jsonResponse } from '../http/responses.js';
import { restock, type RestockAnswer } from '../use-cases/restock.js';

const handleHttp = apiHandler(async (event, context) => {
  const body = readJsonBody(event);
  const lines = parseRestockRequest(body);
  const key = idempotencyKey(event);
  const answer = await restock({
    key: key === undefined ? undefined : `key:${key}`,
    lines,
    deadline: drainDeadline(context),
    linePath: linePathIn(body, ''),
  });
  countShipments(answer);
  return jsonResponse(200, answer);
});

function countShipments(answer: RestockAnswer): void {
  const units = answer.shipments.reduce((n, s) => n + s.shipped.reduce((m, l) => m + l.quantity, 0), 0);
  countMetric(CUSTOM_METRICS.backordersFilled, units);
  countMetric(CUSTOM_METRICS.unitsShipped, units);
  countMetric(CUSTOM_METRICS.packagesShipped, answer.shipments.length);
}

export type RestockEvent = EventBridgeEvent<'Restock', unknown>;

/**
 * An event that can never succeed (bad detail, unknown product, conflicting replay) is logged
 * and dropped: retrying it would only fill the dead-letter queue with the same refusal. A
 * replay that arrives while the first delivery is still at work throws, so EventBridge retries.
 */
async function applyEvent(event: RestockEvent, context: Context): Promise<void> {
  try {
    const expectedSource = process.env.RESTOCK_EVENT_SOURCE;
    if (expectedSource && event.source !== expectedSource) {
      logger.error('restock event from an unexpected source dropped', { source: event.source });
      return;
    }
    const lines = parseRestockEventDetail(event.detail);
    const answer = await restock({ key: `event:${event.id}`, lines, deadline: drainDeadline(context) });
    countShipments(answer);
    logger.info('restock event applied', { packages: answer.shipments.length, draining: answer.draining });
  } catch (error) {
    if (error instanceof RequestInProgressError || !(error instanceof DomainError)) throw error;
    logger.error('restock event refused', { kind: error.kind, detail: error.detail, errors: error.errors });
  }
}

const handleEvent = lambdaHandler(applyEvent, (event) => ({ correlationId: event.id }));

function isEventBridgeEvent(event: unknown): event is RestockEvent {
  return typeof event === 'object' && event !== null && 'detail-type' in event && !('requestContext' in event);
}

export async function handler(
  event: APIGatewayProxyEventV2 | RestockEvent,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  if (!isEventBridgeEvent(event)) return handleHttp(event, context);
  await handleEvent(event, context);
  return undefined;
}
