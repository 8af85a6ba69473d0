/** POST /inventory/process_order */
import { logger } from '../commons/logger.js';
import { tagOrder } from '../commons/order-context.js';
import { countMetric, CUSTOM_METRICS } from '../commons/metrics.js';
import { parseOrderRequest } from '../domain/requests.js';
import { apiHandler, linePathIn } from '../http/api-handler.js';
import { readJsonBody } from '../http/request-body.js';
import { jsonResponse } from '../http/responses.js';
import { placeOrder } from '../use-cases/place-order.js';

export const handler = apiHandler(async (event) => {
  const body = readJsonBody(event);
  const request = parseOrderRequest(body);
  if (request.orderId !== undefined) tagOrder(request.orderId);
  const result = await placeOrder({
    ...request,
    linePath: linePathIn((body as { requested?: unknown }).requested, 'requested'),
  });
  // An id the service assigned is known only now.
  if (request.orderId === undefined) tagOrder(result.order.order_id);
  if (result.created) {
    const units = (lines: Array<{ quantity: number }>) => lines.reduce((n, l) => n + l.quantity, 0);
    countMetric(CUSTOM_METRICS.ordersReceived, 1);
    countMetric(CUSTOM_METRICS.unitsShipped, units(result.order.shipped));
    countMetric(CUSTOM_METRICS.packagesShipped, result.order.shipments.length);
    countMetric(CUSTOM_METRICS.unitsBackordered, units(result.order.backordered));
  }
  logger.info('order placed', { status: result.order.status, replay: !result.created });
  return jsonResponse(result.created ? 201 : 200, result.order);
});
