/**
 * The local DynamoDB runtime: the table the bootstrap creates matches the definition shared
 * with the CDK stack, ensureTable can run any number of times, and DynamoDB Local really
 * stops (and keeps its data, in persisted mode).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTENTION_INDEX,
  CATALOG_INDEX,
  ORDER_LISTS_INDEX,
  TTL_ATTRIBUTE,
} from '../../functions/store/table-definition.js';
import { ensureTable } from '../../local/bootstrap.js';
import { locateDynamoDBLocalJar, startDynamoDBLocal } from '../../local/dynamodb-local.js';
import { compileOnce, JDK_PACKAGE, parseJavaMajor } from '../../local/java.js';
import { localClientConfig } from '../../local/local-aws-env.js';
import { createTestTable, dynamodbEndpoint, testDynamoDBClient } from '../support/dynamodb.js';

describe('ensureTable on DynamoDB Local', () => {
  let client: DynamoDBClient;
  let tableName: string;

  beforeAll(async () => {
    tableName = await createTestTable('bootstrap');
    client = testDynamoDBClient();
  });
  afterAll(() => client.destroy());

  it('creates the table ACTIVE with pk/sk and its three GSIs ACTIVE, each with its projection', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    const indexes = Object.fromEntries((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
    expect(Object.keys(indexes).sort()).toEqual(
      [ATTENTION_INDEX.name, CATALOG_INDEX.name, ORDER_LISTS_INDEX.name].sort(),
    );
    for (const [definition, projection] of [
      [CATALOG_INDEX, 'KEYS_ONLY'],
      [ATTENTION_INDEX, 'KEYS_ONLY'],
      [ORDER_LISTS_INDEX, 'ALL'],
    ] as const) {
      const index = indexes[definition.name];
      expect(index?.IndexStatus).toBe('ACTIVE');
      expect(index?.Projection?.ProjectionType).toBe(projection);
      expect(index?.KeySchema).toEqual([
        { AttributeName: definition.partitionKey, KeyType: 'HASH' },
        { AttributeName: definition.sortKey, KeyType: 'RANGE' },
      ]);
    }
  });

  it('turns TTL on for the expiry attribute', async () => {
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
    expect(TimeToLiveDescription?.AttributeName).toBe(TTL_ATTRIBUTE);
  });

  it('is idempotent: a second call changes nothing and keeps the data', async () => {
    const key = { pk: { S: 'PRODUCT#1' }, sk: { S: 'PRODUCT' } };
    await client.send(new PutItemCommand({ TableName: tableName, Item: { ...key, quantity: { N: '5' } } }));

    await expect(ensureTable(client, tableName)).resolves.toEqual({ created: false, ttlEnabled: true });

    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    expect(Item?.quantity).toEqual({ N: '5' });
  });

  it('gives the table its stream (new and old images), also to a table made without one', async () => {
    const name = `stream-${process.env.VITEST_POOL_ID ?? '0'}-${Date.now()}`;
    await ensureTable(client, name, { stream: false });
    const before = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(before.Table?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    await expect(ensureTable(client, name)).resolves.toEqual({ created: false, ttlEnabled: true });
    const after = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(after.Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(after.Table?.LatestStreamArn).toBeTruthy();
  });

  it('creates the table once when two callers race', async () => {
    const name = `race-${process.env.VITEST_POOL_ID ?? '0'}-${Date.now()}`;
    const results = await Promise.all([ensureTable(client, name), ensureTable(client, name)]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
  });

  it('shares one database whatever the credentials and region (sharedDb)', async () => {
    const other = new DynamoDBClient({
      endpoint: dynamodbEndpoint(),
      region: 'eu-west-1',
      credentials: { accessKeyId: 'someoneElse', secretAccessKey: 'other' },
    });
    try {
      const { TableNames } = await other.send(new ListTablesCommand({}));
      expect(TableNames).toContain(tableName);
    } finally {
      other.destroy();
    }
  });
});

describe('startDynamoDBLocal', () => {
  const isAlive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('keeps data in its directory across restarts, and stop() ends the Java process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
    try {
      const first = await startDynamoDBLocal({ dataDir });
      const firstClient = new DynamoDBClient(localClientConfig(first.endpoint));
      await ensureTable(firstClient, 'persisted-table');
      firstClient.destroy();
      await first.stop();
      expect(isAlive(first.pid)).toBe(false);
      await first.stop(); // idempotent

      const second = await startDynamoDBLocal({ dataDir });
      const secondClient = new DynamoDBClient(localClientConfig(second.endpoint));
      try {
        const { TableNames } = await secondClient.send(new ListTablesCommand({}));
        expect(TableNames).toContain('persisted-table');
      } finally {
        secondClient.destroy();
        await second.stop();
      }
      expect(isAlive(second.pid)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('parseJavaMajor', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "21" 2023-09-19 LTS', 21],
    ['java version "1.8.0_392"', 8],
    ['no version here', undefined],
  ])('%s -> %s', (output, major) => {
    expect(parseJavaMajor(output)).toBe(major);
  });
});

describe('compileOnce (the DynamoDB Local launcher)', () => {
  const source = fileURLToPath(new URL('../../local/DynamoDBLocalOnLoopback.java', import.meta.url));
  const jar = locateDynamoDBLocalJar().path;
  let cacheRoot: string;
  const path = process.env.PATH;
  beforeAll(() => {
    cacheRoot = mkdtempSync(join(tmpdir(), 'launcher-cache-'));
  });
  afterAll(() => {
    process.env.PATH = path;
    rmSync(cacheRoot, { recursive: true, force: true });
  });

  it('compiles once; later calls need no compiler', async () => {
    const classes = await compileOnce(source, jar, cacheRoot);
    expect(readdirSync(classes)).toEqual(['DynamoDBLocalOnLoopback.class']);
    process.env.PATH = ''; // no javac (nor anything else) to be found
    try {
      await expect(compileOnce(source, jar, cacheRoot)).resolves.toBe(classes);
    } finally {
      process.env.PATH = path;
    }
    expect(readdirSync(cacheRoot)).toEqual([basename(classes)]); // no scratch directory left behind
  });

  it('without a JDK, says which package to install', async () => {
    process.env.PATH = '';
    try {
      await expect(compileOnce(source, jar, join(cacheRoot, 'empty'))).rejects.toThrow(
        `\`javac\` could not be run (a JRE alone has no compiler). Install it with: sudo apt-get install -y ${JDK_PACKAGE}`,
      );
    } finally {
      process.env.PATH = path;
    }
  });
});
