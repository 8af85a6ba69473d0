/** GET /health: one cheap DynamoDB call; 503 when it fails. */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import { logger } from '../commons/logger.js';
import { SERVICE_VERSION } from '../commons/service-version.js';
import { DependencyUnavailableError } from '../domain/errors.js';
import { apiHandler } from '../http/api-handler.js';
import { jsonResponse } from '../http/responses.js';

export const handler = apiHandler(async () => {
  try {
    await documentClient().send(new DescribeTableCommand({ TableName: tableName() }));
  } catch (error) {
    logger.warn('health check failed', error as Error);
    throw new DependencyUnavailableError('DynamoDB is unreachable');
  }
  return jsonResponse(200, { status: 'ok', version: SERVICE_VERSION });
});
