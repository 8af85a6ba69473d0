/** POST /inventory/init_catalog */
import { parseCatalogRequest } from '../domain/requests.js';
import { apiHandler, drainDeadline } from '../http/api-handler.js';
import { readJsonBody } from '../http/request-body.js';
import { jsonResponse } from '../http/responses.js';
import { initCatalog } from '../use-cases/init-catalog.js';

export const handler = apiHandler(async (event, context) => {
  const entries = parseCatalogRequest(readJsonBody(event));
  const products = await initCatalog(entries, drainDeadline(context));
  return jsonResponse(201, { products });
});
