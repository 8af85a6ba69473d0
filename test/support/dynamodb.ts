/**
 * Helpers for integration tests on the DynamoDB Local that ./global-setup.ts starts.
 *
 * Each test file makes its own table with `createTestTable()` so files running in parallel
 * workers never see each other's data. Call it before importing a handler or store module:
 * those build their DynamoDB client from the environment it sets.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { ensureTable } from '../../local/bootstrap.js';
import { applyLocalAwsEnv, localClientConfig } from '../../local/local-aws-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    /** pid of the process that runs the global setup: DynamoDB Local's parent, the test run's root. */
    testRunnerPid: number;
  }
}

/** Endpoint of the shared DynamoDB Local, e.g. `http://127.0.0.1:40123`. */
export function dynamodbEndpoint(): string {
  return inject('dynamodbEndpoint');
}

/** A low-level client for DynamoDB Local; destroy it when done. */
export function testDynamoDBClient(): DynamoDBClient {
  return new DynamoDBClient(localClientConfig(dynamodbEndpoint()));
}

/**
 * Creates a table with a name of its own (worker id plus a random suffix), points
 * TABLE_NAME / DYNAMODB_ENDPOINT / AWS_REGION / fake credentials at it, and returns its name.
 *
 * Without a stream unless `stream: true`: every test file shares one DynamoDB Local, which slows
 * down writes to a table with a stream as more tables with stream records accumulate (see
 * local/bootstrap.ts); only the tests that read the outbound events need one.
 */
export async function createTestTable(prefix = 'test', { stream = false }: { stream?: boolean } = {}): Promise<string> {
  const worker = process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? '0';
  const tableName = `${prefix}-w${worker}-${randomUUID().slice(0, 8)}`;
  const endpoint = dynamodbEndpoint();
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    await ensureTable(client, tableName, { stream });
  } finally {
    client.destroy();
  }
  applyLocalAwsEnv({ endpoint, tableName });
  return tableName;
}
