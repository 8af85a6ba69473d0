/** `npm start` refuses data written in another layout rather than misread it (local/data-format.ts). */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_FORMAT_KEY, DATA_FORMAT_VERSION } from '../../functions/store/table-definition.js';
import { checkDataFormat, DataFormatError } from '../../local/data-format.js';
import { createTestTable, testDynamoDBClient } from '../support/dynamodb.js';

const client = testDynamoDBClient();
afterAll(() => client.destroy());

describe('the data layout marker', () => {
  it('is written into an empty table, and then accepted', async () => {
    const table = await createTestTable('format');
    await checkDataFormat(client, table, 'here');
    await checkDataFormat(client, table, 'here');
  });

  it('refuses items of an earlier version that wrote no marker, saying what to do', async () => {
    const table = await createTestTable('format');
    // An order item of layout 1, with its per-product totals.
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' }, shipped: { M: { '7': { N: '1' } } } },
      }),
    );
    const refused = checkDataFormat(client, table, '/somewhere/.data');
    await expect(refused).rejects.toThrow(DataFormatError);
    await expect(refused).rejects.toThrow(/earlier version .* move \/somewhere\/.data away/);
  });

  it('refuses a marker of another layout', async () => {
    const table = await createTestTable('format');
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: DATA_FORMAT_KEY.pk },
          sk: { S: DATA_FORMAT_KEY.sk },
          version: { N: String(DATA_FORMAT_VERSION + 1) },
        },
      }),
    );
    await expect(checkDataFormat(client, table, 'there')).rejects.toThrow(
      `has layout ${DATA_FORMAT_VERSION + 1}; this version of the service reads layout ${DATA_FORMAT_VERSION}`,
    );
  });
});
