/** GET /inventory/orders/{order_id} */
import { tagOrder } from '../commons/order-context.js';
import { NotFoundError } from '../domain/errors.js';
import { parseOrderIdPath } from '../domain/order-id.js';
import { apiHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/responses.js';
import { getOrderView } from '../use-cases/read-models.js';

export const handler = apiHandler(async (event) => {
  // Percent-decoded once by API Gateway (and by the local server): used as it is, never decoded again.
  const parameter = event.pathParameters?.order_id ?? '';
  const orderId = parseOrderIdPath(parameter);
  // An id that cannot exist names no order: 404, as for any unknown order.
  if (orderId === undefined) throw new NotFoundError(`no order ${JSON.stringify(parameter)}`);
  tagOrder(orderId);
  return jsonResponse(200, await getOrderView(orderId));
});
