/**
 * Creates the service's table in DynamoDB Local (or any endpoint) from the same definition the
 * CDK stack uses, so local and deployed data models cannot drift apart.
 *
 * The table has its stream, as in AWS (the outbound events are read from it), unless a caller
 * opts out: DynamoDB Local slows down every write to a table with a stream as more such tables
 * hold stream records (measured: with six of them a transaction took about 15 times as long), so
 * the integration tests and the benchmarks, which make many tables in one DynamoDB Local, create
 * theirs without one unless they read it. In AWS a stream costs the writer nothing.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTableInput, TTL_ATTRIBUTE } from '../functions/store/table-definition.js';

export interface EnsureTableResult {
  /** false when the table was already there. */
  created: boolean;
  /** false when the endpoint does not support UpdateTimeToLive (items then never expire locally). */
  ttlEnabled: boolean;
}

export interface EnsureTableOptions {
  /** Default true: the table has its stream (a table made before streams existed gets it now). */
  stream?: boolean;
  timeoutMs?: number;
}

/** Makes sure `tableName` exists, is ACTIVE with every GSI ACTIVE, and has TTL on. Idempotent. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  { stream = true, timeoutMs = 60_000 }: EnsureTableOptions = {},
): Promise<EnsureTableResult> {
  let created = false;
  const existing = await describeTable(client, tableName);
  if (existing === undefined) {
    const { StreamSpecification, ...withoutStream } = createTableInput(tableName);
    try {
      await client.send(new CreateTableCommand(stream ? { ...withoutStream, StreamSpecification } : withoutStream));
      created = true;
    } catch (error) {
      // Someone else (another test worker, a second `npm start`) created it first: fine.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  } else if (stream && !existing.StreamSpecification?.StreamEnabled) {
    // A data directory from before the outbound events: its table gets the stream now.
    await waitUntilActive(client, tableName, timeoutMs);
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: createTableInput(tableName).StreamSpecification,
      }),
    );
  }
  await waitUntilActive(client, tableName, timeoutMs);
  const ttlEnabled = await enableTimeToLive(client, tableName);
  return { created, ttlEnabled };
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Queries against a GSI that is still CREATING fail, so wait for the indexes too, not just the table. */
async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const table = await describeTable(client, tableName);
    const indexesActive = (table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new Error(
        `table ${tableName} is not ACTIVE after ${timeoutMs} ms (status ${table?.TableStatus ?? 'missing'})`,
      );
    }
    await sleep(100);
  }
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    // UpdateTimeToLive fails when TTL is already on, so only call it when it is off.
    if (await timeToLiveIsOn(client, tableName)) return true;
    try {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        }),
      );
    } catch (error) {
      // A concurrent ensureTable may have turned it on between our read and our update.
      if (!(await timeToLiveIsOn(client, tableName))) throw error;
    }
    return true;
  } catch (error) {
    // Older DynamoDB Local builds lack TTL; expiry is only housekeeping (idempotency records),
    // never correctness, so the service works without it.
    if (isUnsupportedOperation(error)) return false;
    throw error;
  }
}

async function timeToLiveIsOn(client: DynamoDBClient, tableName: string): Promise<boolean> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  return status === 'ENABLED' || status === 'ENABLING';
}

function isUnsupportedOperation(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'UnknownOperationException' || name === 'UnrecognizedClientException' || name === 'NotImplemented';
}
