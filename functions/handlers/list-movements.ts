/** GET /inventory/products/{product_id}/movements: a product's movement ledger, a page at a time. */
import { NotFoundError } from '../domain/errors.js';
import { LIMITS, parseListQuery, parseProductIdPath } from '../domain/requests.js';
import { apiHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/responses.js';
import { productMovements } from '../use-cases/movements.js';

export const handler = apiHandler(async (event) => {
  const parameter = event.pathParameters?.product_id ?? '';
  const productId = parseProductIdPath(parameter);
  // An id that cannot exist names no product: 404, as for any unknown product.
  if (productId === undefined) throw new NotFoundError(`no product ${JSON.stringify(parameter)}`);
  const { limit, cursor } = parseListQuery(event.queryStringParameters, LIMITS.movementPage);
  return jsonResponse(200, await productMovements(productId, limit, cursor));
});
