/** POST /inventory/process_order */
import { logger } from '../commons/logger.js';
import { parseOrderRequest } from '../domain/requests.js';
import { apiHandler, linePathIn } from '../http/api-handler.js';
import { readJsonBody } from '../http/request-body.js';
import { jsonResponse } from '../http/responses.js';
import { placeOrder } from '../use-cases/place-order.js';

export const handler = apiHandler(async (event) => {
  const body = readJsonBody(event);
  const request = parseOrderRequest(body);
  if (request.orderId !== undefined) logger.appendKeys({ order_id: request.orderId });
  const result = await placeOrder({
    ...request,
    linePath: linePathIn((body as { requested?: unknown }).requested, 'requested'),
  });
  logger.info('order placed', { order_id: result.order.order_id, status: result.order.status, replay: !result.created });
  return jsonResponse(result.created ? 201 : 200, result.order);
});
