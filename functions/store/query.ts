/** Query pages as one stream of items: callers read a whole partition, or stop early. */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';

export async function* queryItems(
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): AsyncGenerator<Record<string, unknown>> {
  let start: Record<string, unknown> | undefined;
  do {
    const res = await documentClient().send(
      new QueryCommand({ ...input, TableName: tableName(), ExclusiveStartKey: start }),
    );
    yield* (res.Items ?? []) as Record<string, unknown>[];
    start = res.LastEvaluatedKey;
  } while (start);
}

/** Every item of one partition, strongly consistent, in sort-key order. */
export function partitionItems(pk: string): AsyncGenerator<Record<string, unknown>> {
  return queryItems({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    ConsistentRead: true,
  });
}
