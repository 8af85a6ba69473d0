/**
 * `npm run export` / `npm run import` (local/export.ts, local/import.ts, local/table-copy.ts,
 * local/data-file.ts) on DynamoDB Local: a realistic state built through the real handlers
 * survives a round trip item for item, the service on the copy answers the same and keeps
 * working (backorders fill, idempotency keys are remembered), refusals write nothing, and the
 * data-directory lock keeps a second DynamoDB Local off the files `npm start` uses.
 *
 * Processes are spawned only where a process is what is tested: the tools' exit codes and a real
 * round trip through a file. The lock between a running `npm start` and the tools, with real
 * DynamoDB Local processes on one directory, is npm-start-stop.test.ts's; the command lines and
 * the file validation are unit tests (test/unit/data-commands.test.ts, data-file.test.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../local/bootstrap.js';
import {
  acquireDataDirLock,
  DataDirInUseError,
  LOCK_FILE_NAME,
  lockPathOf,
  readDataDirLock,
} from '../../local/data-dir-lock.js';
import { readDataFile, serializeDataFile, writeDataFile, type DataFile } from '../../local/data-file.js';
import { openTarget } from '../../local/data-tool.js';
import { batchWriteAll, exportTable, importDataFile, Refusal, scanAllItems } from '../../local/table-copy.js';
import { catalog, get, post } from '../support/api.js';
import { runDataTool } from '../support/data-tools.js';
import { createTestTable, dynamodbEndpoint, testDynamoDBClient } from '../support/dynamodb.js';
import { sequenceLedger } from '../support/ledger.js';
import { readState, violations } from '../support/invariants.js';

type Item = Record<string, AttributeValue>;

const MAX_ID = Number.MAX_SAFE_INTEGER; // 2^53-1: an integer order_id, stored as a DynamoDB number

let client: DynamoDBClient;
let workDir: string;
let sourceTable: string;
let tableCounter = 0;
const freshTableName = (label: string) => `${sourceTable}-${label}-${++tableCounter}`;

/** The service (in this process) reads TABLE_NAME on every call: point it at another table. */
const useTable = (name: string) => {
  process.env.TABLE_NAME = name;
};

const sortedItems = async (table: string): Promise<Item[]> =>
  (await scanAllItems(client, table)).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
const keyOf = (item: Item) => `${item.pk?.S}\u0000${item.sk?.S}`;
const tableNames = async () => (await client.send(new ListTablesCommand({}))).TableNames ?? [];

/** What the source table answered before the export. */
let before: {
  items: Item[];
  products: unknown;
  orders: Record<string, unknown>;
  restockAnswer: any;
};
let ids: { a: number; b: number; c: number; fulfilled: number; partial: string; backordered: string; key: string };
let exported: DataFile;

beforeAll(async () => {
  // With its stream, as under `npm start`: the movements are listed before the export.
  sourceTable = await createTestTable('export', { stream: true });
  client = testDynamoDBClient();
  workDir = mkdtempSync(join(tmpdir(), 'export-import-'));

  // A realistic state through the real handlers.
  const [a, b, c] = await catalog([400, 700, 1800]);
  ids = {
    a: a!,
    b: b!,
    c: c!,
    fulfilled: MAX_ID,
    partial: 'partial-A.1:x_y',
    backordered: 'waiting-1',
    key: 'restock-key-1',
  };
  expect(
    (
      await post('/inventory/process_restock', [
        { product_id: a, quantity: 10 },
        { product_id: b, quantity: 2 },
      ])
    ).status,
  ).toBe(200);
  const fulfilled = await post('/inventory/process_order', {
    order_id: MAX_ID,
    requested: [{ product_id: a, quantity: 6 }],
  });
  expect(fulfilled.body).toMatchObject({ order_id: MAX_ID, status: 'fulfilled' });
  const partial = await post('/inventory/process_order', {
    order_id: ids.partial,
    requested: [
      { product_id: b, quantity: 5 },
      { product_id: a, quantity: 1 },
    ],
  });
  expect(partial.body.status).toBe('partially_shipped');
  const waiting = await post('/inventory/process_order', {
    order_id: ids.backordered,
    requested: [{ product_id: c, quantity: 2 }],
  });
  expect(waiting.body.status).toBe('backordered');
  // A restock with an Idempotency-Key that ships one more unit of b to the partial order.
  const restockAnswer = await post('/inventory/process_restock', [{ product_id: b, quantity: 1 }], {
    'idempotency-key': ids.key,
  });
  expect(restockAnswer.status).toBe(200);
  expect(restockAnswer.body.shipments).toHaveLength(1);
  expect((await get(`/inventory/orders/${ids.partial}`)).body.status).toBe('partially_shipped');
  // `npm start` lists the movements as the writes commit; here, before the export.
  await sequenceLedger();

  before = {
    items: await sortedItems(sourceTable),
    products: (await get('/inventory/products')).body,
    orders: Object.fromEntries(
      await Promise.all(
        [ids.fulfilled, ids.partial, ids.backordered].map(
          async (id) => [String(id), (await get(`/inventory/orders/${id}`)).body] as const,
        ),
      ),
    ),
    restockAnswer: restockAnswer.body,
  };
  exported = await exportTable(client, sourceTable);
});

afterAll(async () => {
  useTable(sourceTable);
  client?.destroy();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the round trip', () => {
  let importedTable: string;

  it('the state under test has every item kind, the TTL attribute and a 2^53-1 number', () => {
    const kinds = new Set(before.items.map((item) => `${item.pk!.S!.split('#')[0]}/${item.sk!.S!.split('#')[0]}`));
    for (const kind of ['ORDER/ORDER', 'ORDER/SHIP', 'PRODUCT/PRODUCT', 'PRODUCT/WAIT', 'RESTOCK/RESTOCK'])
      expect(kinds).toContain(kind);
    expect(before.items.some((item) => item.expires_at?.N !== undefined)).toBe(true);
    expect(before.items.some((item) => item.order_id?.N === String(MAX_ID))).toBe(true);
  });

  it('writes a file with the header and every item, and reads it back (a) item for item', async () => {
    const path = join(workDir, 'state.json');
    writeDataFile(path, exported);
    const text = readFileSync(path, 'utf8');
    const raw = JSON.parse(text);
    expect(raw).toMatchObject({
      format: 'fulfillment-table-export',
      version: 1,
      table_name: sourceTable,
      item_count: before.items.length,
    });
    expect(Date.parse(raw.exported_at)).toBeGreaterThan(Date.now() - 600_000);
    // Numbers stay strings in the file: nothing passes through a JS double.
    expect(text).toContain(`"order_id":{"N":"${MAX_ID}"}`);

    importedTable = freshTableName('copy');
    const result = await importDataFile(client, importedTable, readDataFile(path));
    expect(result).toEqual({ created: true, deleted: 0, written: before.items.length });
    expect(await sortedItems(importedTable)).toEqual(before.items);
  });

  it('(b) the service on the imported table answers the same products and orders', async () => {
    useTable(importedTable);
    try {
      expect((await get('/inventory/products')).body).toEqual(before.products);
      for (const [id, view] of Object.entries(before.orders)) {
        expect((await get(`/inventory/orders/${id}`)).body).toEqual(view);
      }
      expect(violations(await readState())).toEqual([]);
    } finally {
      useTable(sourceTable);
    }
  });

  it('(c) it keeps working: the restock key is remembered and a new restock fills the backorders', async () => {
    useTable(importedTable);
    try {
      const replay = await post('/inventory/process_restock', [{ product_id: ids.b, quantity: 1 }], {
        'idempotency-key': ids.key,
      });
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual(before.restockAnswer);
      expect((await get('/inventory/products')).body).toEqual(before.products); // the replay changed nothing
      const conflicting = await post('/inventory/process_restock', [{ product_id: ids.b, quantity: 7 }], {
        'idempotency-key': ids.key,
      });
      expect(conflicting.status).toBe(409);

      const fill = await post(
        '/inventory/process_restock',
        [
          { product_id: ids.b, quantity: 2 },
          { product_id: ids.c, quantity: 2 },
        ],
        { 'idempotency-key': 'after-import' },
      );
      expect(fill.status).toBe(200);
      expect(new Set(fill.body.shipments.map((s: any) => s.order_id))).toEqual(new Set([ids.partial, ids.backordered]));
      expect((await get(`/inventory/orders/${ids.partial}`)).body.status).toBe('fulfilled');
      expect((await get(`/inventory/orders/${ids.backordered}`)).body.status).toBe('fulfilled');
      // A new order continues from the imported stock and product counter.
      const more = await post('/inventory/process_order', { requested: [{ product_id: ids.a, quantity: 3 }] });
      expect(more.body.status).toBe('fulfilled');
      expect(violations(await readState())).toEqual([]);
    } finally {
      useTable(sourceTable);
    }
    // The copy is independent: the source still waits.
    expect((await get(`/inventory/orders/${ids.backordered}`)).body).toEqual(before.orders[ids.backordered]);
    expect(await sortedItems(sourceTable)).toEqual(before.items);
  });

  it('(d) refuses a table that already holds items and changes nothing; --replace leaves exactly the file', async () => {
    const target = freshTableName('busy');
    await ensureTable(client, target);
    const stranger: Item = {
      pk: { S: 'PRODUCT#424242' },
      sk: { S: 'PRODUCT' },
      product_id: { N: '424242' },
      note: { S: 'another state' },
    };
    await client.send(new PutItemCommand({ TableName: target, Item: stranger }));

    await expect(importDataFile(client, target, exported)).rejects.toThrow(Refusal);
    await expect(importDataFile(client, target, exported)).rejects.toThrow(/already holds items/);
    expect(await sortedItems(target)).toEqual([stranger]);
    // The source itself is a non-empty table too.
    await expect(importDataFile(client, sourceTable, exported)).rejects.toThrow(/already holds items/);
    expect(await sortedItems(sourceTable)).toEqual(before.items);

    const log: string[] = [];
    const result = await importDataFile(client, target, exported, { replace: true, log: (line) => log.push(line) });
    expect(result).toMatchObject({ created: false, deleted: 1, written: before.items.length });
    expect(log).toEqual([`Deleted the 1 items that were in table ${target} (--replace)`]);
    expect(await sortedItems(target)).toEqual(before.items); // the stranger is gone: no mix
  });

  it('refuses a table with another key schema before writing', async () => {
    const target = freshTableName('foreign');
    await client.send(
      new CreateTableCommand({
        TableName: target,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await expect(importDataFile(client, target, exported)).rejects.toThrow(/not a table of this service/);
    expect(await scanAllItems(client, target)).toEqual([]);
  });
});

describe('--aws (the point-in-time restore of docs/runbook.md)', () => {
  it('never creates a table: in AWS the stack owns it', async () => {
    const missing = freshTableName('absent');
    await expect(importDataFile(client, missing, exported, { createTable: false })).rejects.toThrow(/does not exist/);
    expect(await tableNames()).not.toContain(missing);
  });
});

describe('lossless for every attribute type', () => {
  it('keeps S, N (2^53-1, 38 digits, extremes), B, BOOL, NULL, M, L, SS, NS, BS and expires_at exactly', async () => {
    const table = freshTableName('types');
    await ensureTable(client, table);
    const allBytes = new Uint8Array(Array.from({ length: 256 }, (_, i) => i));
    const item: Item = {
      pk: { S: 'RESTOCK#types ünïcødé 🚚' },
      sk: { S: 'RESTOCK' },
      s_empty: { S: '' },
      s_text: { S: 'line\nbreak "quoted" \u0000 nul' },
      n_max: { N: '9007199254740991' },
      n_min: { N: '-9007199254740991' },
      n_beyond: { N: '9007199254740993' },
      n_38: { N: '12345678901234567890123456789012345678' },
      n_frac: { N: '0.1' },
      n_big: { N: '9.9999999999999999999999999999999999999E+125' },
      n_small: { N: '1E-130' },
      expires_at: { N: '1893456000' },
      b: { B: allBytes },
      b_empty: { B: new Uint8Array() },
      t: { BOOL: true },
      f: { BOOL: false },
      nothing: { NULL: true },
      m: {
        M: {
          inner: { L: [{ N: '1' }, { S: 'x' }, { M: {} }, { L: [] }, { NULL: true }] },
          n: { N: String(2 ** 53 - 1) },
        },
      },
      m_empty: { M: {} },
      l_empty: { L: [] },
      ss: { SS: ['a', 'b', ''] },
      ns: { NS: ['1', '9007199254740991', '-0.5'] },
      bs: { BS: [new Uint8Array([0]), new Uint8Array([255, 254])] },
    };
    await client.send(new PutItemCommand({ TableName: table, Item: item }));
    const stored = (
      await client.send(
        new GetItemCommand({ TableName: table, Key: { pk: item.pk!, sk: item.sk! }, ConsistentRead: true }),
      )
    ).Item!;

    const path = join(workDir, 'types.json');
    writeDataFile(path, await exportTable(client, table));
    const copy = freshTableName('types-copy');
    await importDataFile(client, copy, readDataFile(path));
    const back = (
      await client.send(
        new GetItemCommand({ TableName: copy, Key: { pk: item.pk!, sk: item.sk! }, ConsistentRead: true }),
      )
    ).Item!;

    expect(normalize(back)).toEqual(normalize(stored));
    // And the stored values are the ones written (DynamoDB Local may only reformat numbers).
    expect(back.n_max).toEqual({ N: '9007199254740991' });
    expect(back.n_beyond).toEqual({ N: '9007199254740993' });
    expect(back.n_38).toEqual({ N: '12345678901234567890123456789012345678' });
    expect(back.expires_at).toEqual({ N: '1893456000' });
    expect(Buffer.from(back.b!.B!).equals(Buffer.from(allBytes))).toBe(true);
  });

  /** Sets are unordered in DynamoDB; binary compared by bytes. */
  function normalize(value: Item): unknown {
    const one = (v: AttributeValue): unknown => {
      if (v.B) return { B: Buffer.from(v.B).toString('hex') };
      if (v.BS) return { BS: v.BS.map((b) => Buffer.from(b).toString('hex')).sort() };
      if (v.SS) return { SS: [...v.SS].sort() };
      if (v.NS) return { NS: [...v.NS].sort() };
      if (v.M) return { M: normalize(v.M) };
      if (v.L) return { L: v.L.map(one) };
      return v;
    };
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, one(v)]));
  }
});

describe('paging and batching', () => {
  it('scans every page and writes in batches of 25, retrying UnprocessedItems', async () => {
    const table = freshTableName('many');
    await ensureTable(client, table);
    const items: Item[] = Array.from({ length: 60 }, (_, i) => ({
      pk: { S: `ORDER#bulk-${i}` },
      sk: { S: 'ORDER' },
      n: { N: String(i) },
    }));

    // A real client whose BatchWriteItem applies only the first half of each request and
    // reports the rest as unprocessed, as DynamoDB does under throttling.
    const batchSizes: number[] = [];
    const flaky = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: any) => {
          if (!(command instanceof BatchWriteItemCommand)) return target.send(command);
          const requests = command.input.RequestItems![table]!;
          batchSizes.push(requests.length);
          const half = Math.ceil(requests.length / 2);
          const applied = await target.send(
            new BatchWriteItemCommand({ RequestItems: { [table]: requests.slice(0, half) } }),
          );
          expect(applied.UnprocessedItems?.[table] ?? []).toEqual([]);
          return { UnprocessedItems: requests.length > half ? { [table]: requests.slice(half) } : {}, $metadata: {} };
        };
      },
    }) as DynamoDBClient;

    expect(
      await batchWriteAll(
        flaky,
        table,
        items.map((Item) => ({ PutRequest: { Item } })),
        { baseDelayMs: 1 },
      ),
    ).toBe(60);
    expect(Math.max(...batchSizes)).toBe(25);
    expect(batchSizes.slice(0, 5)).toEqual([25, 12, 6, 3, 1]); // the first batch, retried until done
    expect(
      (await scanAllItems(client, table, { pageSize: 7 })).map((i) => i.n!.N).sort((x, y) => Number(x) - Number(y)),
    ).toEqual(items.map((i) => i.n!.N));
  });

  it('gives up with an error when items stay unprocessed', async () => {
    const table = freshTableName('stuck');
    await ensureTable(client, table);
    const stuck = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: any) => ({ UnprocessedItems: command.input.RequestItems, $metadata: {} });
      },
    }) as DynamoDBClient;
    const requests = [{ PutRequest: { Item: { pk: { S: 'X' }, sk: { S: 'Y' } } } }];
    await expect(batchWriteAll(stuck, table, requests, { maxRetries: 3, baseDelayMs: 1 })).rejects.toThrow(
      /1 requests unprocessed after 3 retries/,
    );
  });
});

// ---- the data-directory lock --------------------------------------------------------------

/** Above any pid_max (Linux at most 2^22, macOS 99998): no process has it, so a lock naming it is stale. */
const NO_SUCH_PID = 2 ** 22 + 1;

function writeLock(dataDir: string, info: Record<string, unknown>): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    lockPathOf(dataDir),
    JSON.stringify({ command: 'tsx local/start.ts', started_at: new Date().toISOString(), token: 'test', ...info }),
  );
}

describe('the data-directory lock', () => {
  it('is taken once: a live holder refuses others, release() frees it, a dead holder is taken over', () => {
    const dataDir = join(workDir, 'lock-unit');
    mkdirSync(dataDir);
    const lock = acquireDataDirLock(dataDir, 'first');
    expect(readDataDirLock(dataDir)).toMatchObject({ live: true, info: { pid: process.pid, command: 'first' } });
    expect(() => acquireDataDirLock(dataDir, 'second')).toThrow(DataDirInUseError);
    expect(() => acquireDataDirLock(dataDir, 'second')).toThrow(/in use by process \d+, started .* by `first`/);
    lock.release();
    expect(existsSync(lockPathOf(dataDir))).toBe(false);

    // Stale: both recorded processes are dead.
    writeLock(dataDir, { pid: NO_SUCH_PID, java_pid: NO_SUCH_PID });
    expect(readDataDirLock(dataDir)?.live).toBe(false);
    const taken = acquireDataDirLock(dataDir, 'third');
    expect(readDataDirLock(dataDir)?.info?.command).toBe('third');
    taken.release();

    // Live as long as Java lives, even when its Node parent is gone.
    writeLock(dataDir, { pid: NO_SUCH_PID, java_pid: process.pid });
    expect(() => acquireDataDirLock(dataDir)).toThrow(DataDirInUseError);
    // An unreadable lock is never taken over silently.
    writeFileSync(lockPathOf(dataDir), 'garbage');
    expect(() => acquireDataDirLock(dataDir)).toThrow(/unreadable lock file.*delete/);
  });

  it('the tools refuse before starting anything while a live process holds the directory', async () => {
    const dataDir = join(workDir, 'lock-refused');
    writeLock(dataDir, { pid: process.pid }); // a live process, as `npm start` would be
    for (const dataMustExist of [true, false]) {
      const opening = openTarget({ dataDir, dataMustExist });
      await expect(opening).rejects.toThrow(Refusal);
      await expect(opening).rejects.toThrow(
        new RegExp(`The data directory ${dataDir} is in use by process ${process.pid}[^]*--endpoint`),
      );
    }
    expect(readdirNames(dataDir)).toEqual([LOCK_FILE_NAME]); // no database file was created
  });
});

function readdirNames(dir: string): string[] {
  return readdirSync(dir).sort();
}

// ---- processes -----------------------------------------------------------------------------

// Concurrent: each test mostly waits on its own processes, so they overlap.
describe.concurrent('(f) the tools as processes', () => {
  it('a real round trip: exports to a file and imports it into a new table, item for item (exit 0)', async ({
    expect,
  }) => {
    const endpoint = dynamodbEndpoint();
    const file = join(workDir, 'cli.json');
    const exportRun = await runDataTool('export', ['--endpoint', endpoint, '--out', file], { TABLE_NAME: sourceTable });
    expect(exportRun.stderr).not.toMatch(/Refused|Failed/);
    expect(exportRun.code).toBe(0);
    expect(exportRun.stdout).toContain(
      `Exported ${before.items.length} items of table ${sourceTable} at ${endpoint} to ${file}`,
    );
    expect(readDataFile(file).items).toEqual(exported.items);

    const target = freshTableName('cli');
    const importRun = await runDataTool('import', [file, '--endpoint', endpoint, '--table', target]);
    expect(importRun.code).toBe(0);
    expect(importRun.stdout).toContain(`Imported ${before.items.length} items from ${file}`);
    expect(importRun.stdout).toContain(`into the new table ${target} at ${endpoint}`);
    expect(await sortedItems(target)).toEqual(before.items);
  });

  it('exit codes: 1 when DynamoDB is unreachable, 2 for a bad command line, 3 for a bad file', async ({ expect }) => {
    const endpoint = dynamodbEndpoint();
    const lateBad = JSON.parse(serializeDataFile(exported));
    lateBad.items[lateBad.items.length - 1].mass_g = { N: 'heavy' }; // the last item only
    const lateBadFile = join(workDir, 'late-bad.json');
    writeFileSync(lateBadFile, JSON.stringify(lateBad));
    const target = freshTableName('never');
    const never = join(workDir, 'never.json');

    const [unreachable, usage, badFile] = await Promise.all([
      runDataTool('export', ['--endpoint', 'http://127.0.0.1:9', '--table', sourceTable, '--out', never]),
      runDataTool('import', ['--endpoint', endpoint]),
      runDataTool('import', [lateBadFile, '--endpoint', endpoint, '--table', target]),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^Failed: /m);
    expect(existsSync(never)).toBe(false);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('name the file to import\n(see --help)');
    expect(badFile.code).toBe(3);
    expect(badFile.stderr).toContain('Refused, nothing was written');
    expect(badFile.stderr).toMatch(/items\[\d+\]\.mass_g\.N: "heavy": not a decimal number/);
    expect(await tableNames()).not.toContain(target); // not even the table was created
  });
});
