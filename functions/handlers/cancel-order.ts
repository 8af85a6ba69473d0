/** POST /inventory/orders/{order_id}/cancel */
import { tagOrder } from '../commons/order-context.js';
import { logger } from '../commons/logger.js';
import { NotFoundError } from '../domain/errors.js';
import { parseOrderIdPath } from '../domain/order-id.js';
import { parseCancelRequest } from '../domain/requests.js';
import { apiHandler } from '../http/api-handler.js';
import { readOptionalJsonBody } from '../http/request-body.js';
import { jsonResponse } from '../http/responses.js';
import { cancelOrder } from '../use-cases/cancel-order.js';

export const handler = apiHandler(async (event) => {
  const { reason } = parseCancelRequest(readOptionalJsonBody(event));
  // Percent-decoded once by API Gateway (and by the local server): used as it is, never decoded again.
  const parameter = event.pathParameters?.order_id ?? '';
  const orderId = parseOrderIdPath(parameter);
  if (orderId === undefined) throw new NotFoundError(`no order ${JSON.stringify(parameter)}`);
  tagOrder(orderId);
  const order = await cancelOrder(orderId, reason);
  logger.info('order cancelled', { cancelled: order.cancelled });
  return jsonResponse(200, order);
});
