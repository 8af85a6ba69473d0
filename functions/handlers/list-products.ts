/** GET /inventory/products: the catalog, a page at a time. */
import { LIMITS, parseListQuery } from '../domain/requests.js';
import { apiHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/responses.js';
import { catalogPage } from '../use-cases/read-models.js';

export const handler = apiHandler(async (event) => {
  const { limit, cursor } = parseListQuery(event.queryStringParameters, LIMITS.productPage);
  return jsonResponse(200, await catalogPage(limit, cursor));
});
