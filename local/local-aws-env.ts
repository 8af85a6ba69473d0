/**
 * The AWS settings every local process shares. Credentials are fake on purpose: DynamoDB Local
 * accepts any, and a developer's real keys must never reach a local run (or, by mistake, AWS).
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const DEFAULT_LOCAL_TABLE_NAME = 'fulfillment-local';

/** Client config for talking to DynamoDB Local at `endpoint`. */
export function localClientConfig(endpoint: string): DynamoDBClientConfig {
  return { endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
}

/**
 * Points the handlers at DynamoDB Local. Must run before a handler module is imported:
 * handlers build their DynamoDB client at module scope from these variables.
 */
export function applyLocalAwsEnv(settings: { endpoint: string; tableName: string }): void {
  process.env.TABLE_NAME = settings.tableName;
  process.env.DYNAMODB_ENDPOINT = settings.endpoint;
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_DEFAULT_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  // A session token or profile left over from a real login would be mixed into the fake keys.
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  // No CloudWatch here: embedded-metric JSON on stdout would only bury the log (override to see it).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
}
