/** GET /health: 200 with the version when DynamoDB answers, 503 when it does not. */
import { SERVICE_VERSION } from '../commons/service-version.js';
import { apiHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/responses.js';
import { checkHealth } from '../use-cases/check-health.js';

export const handler = apiHandler(async () => {
  await checkHealth();
  return jsonResponse(200, { status: 'ok', version: SERVICE_VERSION });
});
