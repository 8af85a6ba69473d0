/** POST /inventory/recalls: a lot's units on hand are written off and the lot is recalled for good. */
import { logger } from '../commons/logger.js';
import { parseRecallRequest } from '../domain/requests.js';
import { apiHandler } from '../http/api-handler.js';
import { readJsonBody } from '../http/request-body.js';
import { jsonResponse } from '../http/responses.js';
import { recallLot } from '../use-cases/lots.js';

export const handler = apiHandler(async (event) => {
  const { product_id, lot, reason } = parseRecallRequest(readJsonBody(event));
  const view = await recallLot(product_id, lot, reason);
  logger.info('lot recalled', { product_id, lot, packages: view.shipments.length });
  return jsonResponse(200, view);
});
