/**
 * Whole-table reads and writes for the operator tools (`npm run export` / `npm run import`).
 * A Scan is fine here: these are maintenance tools, never an API read path.
 */
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
  type TableDescription,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { PARTITION_KEY, SORT_KEY } from '../functions/store/table-definition.js';
import { ensureTable } from './bootstrap.js';
import { buildDataFile, fromJsonItem, type DataFile } from './data-file.js';

export type Item = Record<string, AttributeValue>;

/** The tool refused before writing anything (the CLI exits with 3 and this message). */
export class Refusal extends Error {
  override name = 'Refusal';
}

// ---- the two operations --------------------------------------------------------------------

/** Every item of `tableName` as an export file (not yet written anywhere). */
export async function exportTable(
  client: DynamoDBClient,
  tableName: string,
  { pageSize, label = `table ${tableName}` }: { pageSize?: number; label?: string } = {},
): Promise<DataFile> {
  if ((await describeTable(client, tableName)) === undefined) throw new Refusal(`there is no ${label}`);
  return buildDataFile(tableName, await scanAllItems(client, tableName, { pageSize }));
}

export interface ImportOptions extends BatchOptions {
  /** Delete the items already in the table first; without it a non-empty table is refused. */
  replace?: boolean;
  log?: (line: string) => void;
  /** How messages name the table, e.g. `table fulfillment-local at http://127.0.0.1:8000`. */
  label?: string;
  /** Create the table when absent (local). False in AWS, where the stack owns the table. */
  createTable?: boolean;
}
export interface ImportResult {
  created: boolean;
  deleted: number;
  written: number;
}

/**
 * Loads a validated export file into `tableName`, creating the table if absent. Refuses, before
 * writing anything, a table with another key schema, and a table that holds items unless
 * `replace` (two states must never mix). Afterwards the table holds exactly the file's items,
 * which is checked by counting.
 */
export async function importDataFile(
  client: DynamoDBClient,
  tableName: string,
  file: DataFile,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const { replace = false, log = () => {}, label = `table ${tableName}`, createTable = true, ...batch } = options;
  const items = file.items.map(fromJsonItem);
  const existing = await describeTable(client, tableName);
  if (!existing && !createTable)
    throw new Refusal(`${label} does not exist (in AWS the stack creates it; check --table and the region)`);
  const problem = existing && keySchemaProblem(existing);
  if (problem) throw new Refusal(`${label} is not a table of this service: ${problem}`);
  const { created } = await ensureTable(client, tableName);

  let deleted = 0;
  if (!created && !(await isTableEmpty(client, tableName))) {
    if (!replace) {
      throw new Refusal(
        `${label} already holds items; importing would mix two states. ` +
          'Add --replace to delete them first (export them beforehand if you may need them), or choose another --table.',
      );
    }
    deleted = await deleteAllItems(client, tableName, batch);
    log(`Deleted the ${deleted} items that were in ${label} (--replace)`);
    if (!(await isTableEmpty(client, tableName))) {
      throw new Error(`${label} is not empty after clearing it: is something (npm start?) still writing to it?`);
    }
  }

  let written: number;
  try {
    written = await putAllItems(client, tableName, items, batch);
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\nThe ${label} now holds part of the file; fix the cause and import again with --replace.`,
    );
  }
  const count = await countItems(client, tableName);
  if (count !== items.length) {
    throw new Error(
      `${label} holds ${count} items after the import, the file ${items.length}: is something else writing to it?`,
    );
  }
  return { created, deleted, written };
}

// ---- building blocks -----------------------------------------------------------------------

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_SIZE = 25;

export interface BatchOptions {
  /** Retries of the UnprocessedItems of one batch before giving up; default 10. */
  maxRetries?: number;
  /** First backoff in ms, doubled per retry (with jitter), at most 2 s; default 50. */
  baseDelayMs?: number;
  /** Called after each batch with the number of requests done so far. */
  onProgress?: (done: number, total: number) => void;
}

export async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Undefined if `table` has the service's key schema (pk HASH, sk RANGE, both strings), else what differs. */
export function keySchemaProblem(table: TableDescription): string | undefined {
  const keys = (table.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const types = new Map((table.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]));
  const expected = `${PARTITION_KEY}:HASH,${SORT_KEY}:RANGE`;
  if (keys !== expected || types.get(PARTITION_KEY) !== 'S' || types.get(SORT_KEY) !== 'S') {
    return `its key schema is ${keys || 'unknown'}, not the service's ${expected} (strings)`;
  }
  return undefined;
}

/** Every item, strongly consistent, following LastEvaluatedKey until the end. */
export async function scanAllItems(
  client: DynamoDBClient,
  tableName: string,
  { pageSize }: { pageSize?: number } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start, Limit: pageSize }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Number of items, by a paginated COUNT scan. */
export async function countItems(client: DynamoDBClient, tableName: string): Promise<number> {
  let count = 0;
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

export async function isTableEmpty(client: DynamoDBClient, tableName: string): Promise<boolean> {
  // Limit bounds the items read, not the items returned, so follow pages until one item shows up.
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        Limit: 1,
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        ExclusiveStartKey: start,
      }),
    );
    if ((page.Items ?? []).length > 0) return false;
    start = page.LastEvaluatedKey;
  } while (start);
  return true;
}

/** Puts every item, 25 per BatchWriteItem, retrying UnprocessedItems. Returns the count written. */
export async function putAllItems(
  client: DynamoDBClient,
  tableName: string,
  items: Item[],
  options: BatchOptions = {},
): Promise<number> {
  return batchWriteAll(
    client,
    tableName,
    items.map((Item) => ({ PutRequest: { Item } })),
    options,
  );
}

/** Deletes every item (keys read by Scan first). Returns the count deleted. */
export async function deleteAllItems(
  client: DynamoDBClient,
  tableName: string,
  options: BatchOptions = {},
): Promise<number> {
  const keys: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ProjectionExpression: '#pk, #sk',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
        ExclusiveStartKey: start,
      }),
    );
    keys.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return batchWriteAll(
    client,
    tableName,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
    options,
  );
}

export async function batchWriteAll(
  client: DynamoDBClient,
  tableName: string,
  requests: WriteRequest[],
  options: BatchOptions = {},
): Promise<number> {
  const { maxRetries = 10, baseDelayMs = 50, onProgress } = options;
  let done = 0;
  for (let offset = 0; offset < requests.length; offset += BATCH_SIZE) {
    let pending = requests.slice(offset, offset + BATCH_SIZE);
    for (let retry = 0; pending.length > 0; retry++) {
      if (retry > maxRetries) {
        throw new Error(
          `BatchWriteItem left ${pending.length} requests unprocessed after ${maxRetries} retries (${done} of ${requests.length} done)`,
        );
      }
      if (retry > 0) await sleep(Math.min(2_000, baseDelayMs * 2 ** (retry - 1)) * (0.5 + Math.random() / 2));
      const answer = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      const unprocessed = answer.UnprocessedItems?.[tableName] ?? [];
      done += pending.length - unprocessed.length;
      pending = unprocessed;
    }
    onProgress?.(done, requests.length);
  }
  return done;
}
