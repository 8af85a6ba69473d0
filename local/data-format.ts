/**
 * The marker of the data layout in the local table (functions/store/table-definition.ts
 * DATA_FORMAT_VERSION): `npm start` writes it into an empty table and refuses a table whose
 * items were written in another layout, with a message that says what to do, instead of
 * answering 500s on data it cannot read.
 */
import { type DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DATA_FORMAT_KEY, DATA_FORMAT_VERSION } from '../functions/store/table-definition.js';

export class DataFormatError extends Error {}

const key = { pk: { S: DATA_FORMAT_KEY.pk }, sk: { S: DATA_FORMAT_KEY.sk } };

export async function checkDataFormat(client: DynamoDBClient, tableName: string, where: string): Promise<void> {
  const marker = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  const version = marker.Item?.version?.N;
  if (version === String(DATA_FORMAT_VERSION)) return;
  const advice =
    `Keep it aside and start afresh: move ${where} away (or start with --in-memory). ` +
    'An export of it (npm run export) is in the same layout and cannot be imported either.';
  if (version !== undefined) {
    throw new DataFormatError(
      `The data in ${where} has layout ${version}; this version of the service reads layout ${DATA_FORMAT_VERSION}. ${advice}`,
    );
  }
  const any = await client.send(new ScanCommand({ TableName: tableName, Limit: 1 }));
  if ((any.Items ?? []).length > 0) {
    throw new DataFormatError(
      `The data in ${where} was written by an earlier version of the service (before layout ${DATA_FORMAT_VERSION}), which this version cannot read. ${advice}`,
    );
  }
  await client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { ...key, version: { N: String(DATA_FORMAT_VERSION) } },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}
