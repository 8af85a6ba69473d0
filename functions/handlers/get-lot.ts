/** GET /inventory/products/{product_id}/lots/{lot}: a lot and every package that carried it, oldest first. */
import { NotFoundError } from '../domain/errors.js';
import { parseLotPath, parseProductIdPath } from '../domain/requests.js';
import { apiHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/responses.js';
import { lotView } from '../use-cases/lots.js';

export const handler = apiHandler(async (event) => {
  const productParameter = event.pathParameters?.product_id ?? '';
  const lotParameter = event.pathParameters?.lot ?? '';
  const productId = parseProductIdPath(productParameter);
  const lot = parseLotPath(lotParameter);
  // A path that cannot name a product or a lot names none: 404, as for any unknown one.
  if (productId === undefined || lot === undefined) {
    throw new NotFoundError(`no lot ${JSON.stringify(lotParameter)} of product ${JSON.stringify(productParameter)}`);
  }
  return jsonResponse(200, await lotView(productId, lot, event.queryStringParameters?.cursor));
});
