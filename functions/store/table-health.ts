/**
 * Whether the table answers, for GET /health: one DescribeTable, the cheapest call that proves
 * both that DynamoDB is reachable and that the table exists, with no item read (so no capacity
 * consumed, whatever the traffic on the health route).
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';

/** Resolves when the table answers; rejects with the SDK's error when it or DynamoDB does not. */
export async function pingTable(): Promise<void> {
  await documentClient().send(new DescribeTableCommand({ TableName: tableName() }));
}
