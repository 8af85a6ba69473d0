/** GET /inventory/orders: order lists (waiting in serve order; fulfilled, cancelled or all newest first). */
import { parseOrderListQuery } from '../domain/requests.js';
import { apiHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/responses.js';
import { listOrders } from '../use-cases/order-lists.js';

export const handler = apiHandler(async (event) =>
  jsonResponse(200, await listOrders(parseOrderListQuery(event.queryStringParameters))),
);
