/**
 * One DynamoDB document client per process, made at module scope so a warm Lambda reuses its
 * connections. `DYNAMODB_ENDPOINT` is set only locally (DynamoDB Local); in AWS it is absent.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from './tracer.js';

export function createDocumentClient(endpoint = process.env.DYNAMODB_ENDPOINT): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    // The SDK's own retries cover throttling and transient errors; conflicts on our conditions
    // are retried by the use cases, which must re-read before they try again.
    maxAttempts: 4,
  });
  // Each DynamoDB call becomes an X-Ray subsegment (a no-op where tracing is off).
  tracer.captureAWSv3Client(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

let shared: DynamoDBDocumentClient | undefined;

/** The process-wide client; tests may replace it (e.g. to inject faults) with `setDocumentClient`. */
export function documentClient(): DynamoDBDocumentClient {
  shared ??= createDocumentClient();
  return shared;
}

export function setDocumentClient(client: DynamoDBDocumentClient | undefined): void {
  shared = client;
}

export function tableName(): string {
  const name = process.env.TABLE_NAME;
  if (!name) throw new Error('TABLE_NAME is not set');
  return name;
}
