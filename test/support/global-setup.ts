/**
 * vitest globalSetup of the integration project: one DynamoDB Local, in memory, for the whole
 * run. Tests isolate themselves with their own tables (see ./dynamodb.ts createTestTable).
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDBLocal } from '../../local/dynamodb-local.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamodb = await startDynamoDBLocal();
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('testRunnerPid', process.pid);
  return () => dynamodb.stop();
}
