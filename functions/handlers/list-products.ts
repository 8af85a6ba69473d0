/** GET /inventory/products */
import { apiHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/responses.js';
import { catalogView } from '../use-cases/read-models.js';

export const handler = apiHandler(async () => jsonResponse(200, { products: await catalogView() }));
