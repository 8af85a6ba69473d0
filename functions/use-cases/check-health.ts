/** GET /health: the service is healthy when its table answers. */
import { logger } from '../commons/logger.js';
import { DependencyUnavailableError } from '../domain/errors.js';
import { pingTable } from '../store/table-health.js';

/** Resolves when DynamoDB answers; otherwise logs why and throws `DependencyUnavailableError`. */
export async function checkHealth(): Promise<void> {
  try {
    await pingTable();
  } catch (error) {
    logger.warn('health check failed', error as Error);
    throw new DependencyUnavailableError('DynamoDB is unreachable');
  }
}
