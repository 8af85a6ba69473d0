/**
 * `npm run export` / `npm run import` (local/export.ts, local/import.ts, local/table-copy.ts,
 * local/data-file.ts) on DynamoDB Local: a realistic state built through the real handlers
 * survives a round trip item for item, the service on the copy answers the same and keeps
 * working (backorders fill, idempotency keys are remembered), refusals write nothing, and the
 * data-directory lock keeps a second DynamoDB Local off the files `npm start` uses.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import {
  DataFileError,
  parseDataFile,
  readDataFile,
  serializeDataFile,
  writeDataFile,
  type DataFile,
} from '../../local/data-file.js';
import { awsClientConfig } from '../../local/data-tool.js';
import { startDynamoDBLocal } from '../../local/dynamodb-local.js';
import { batchWriteAll, exportTable, importDataFile, Refusal, scanAllItems } from '../../local/table-copy.js';
import { catalog, get, post } from '../support/api.js';
import { createTestTable, dynamodbEndpoint, testDynamoDBClient } from '../support/dynamodb.js';
import { readState, violations } from '../support/invariants.js';

type Item = Record<string, AttributeValue>;

const REPO = fileURLToPath(new URL('../../', import.meta.url));
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
  sourceTable = await createTestTable('export');
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

    const result = await importDataFile(client, target, exported, { replace: true });
    expect(result).toMatchObject({ created: false, deleted: 1, written: before.items.length });
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

  it("uses the SDK's own endpoint and credential chain, never the fake local ones", () => {
    const config = awsClientConfig();
    expect(config).not.toHaveProperty('endpoint');
    expect(config).not.toHaveProperty('credentials');
    expect(config).not.toHaveProperty('region');
  });

  it('needs --table, and goes with neither --endpoint nor --data-dir (exit 2, nothing touched)', async () => {
    const valid = join(workDir, 'aws-in.json');
    writeDataFile(valid, exported);
    const [noTable, both] = await Promise.all([
      runCli('export', ['--aws', '--out', join(workDir, 'aws.json')]),
      runCli('import', [valid, '--aws', '--endpoint', dynamodbEndpoint(), '--table', 'x']),
    ]);
    expect(noTable.code).toBe(2);
    expect(noTable.stderr).toContain('--aws needs --table');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('only one of --endpoint, --data-dir and --aws');
    expect(existsSync(join(workDir, 'aws.json'))).toBe(false);
  });
});

describe('(e) the file is validated before anything is written', () => {
  const valid = () => JSON.parse(serializeDataFile(exported));
  /** A change made in place on the parsed file, returning the file. */
  const edit = (change: (file: any) => void) => (file: any) => {
    change(file);
    return file;
  };
  const cases: Array<[string, (file: any) => unknown, RegExp]> = [
    ['another JSON file', () => ({ name: 'fulfillment-service', scripts: {} }), /not an export of this service/],
    ['a JSON array', () => [1, 2], /not an export of this service/],
    ['a newer version', (f) => ({ ...f, version: 2 }), /version 2 is not supported/],
    ['a wrong item count', (f) => ({ ...f, item_count: f.item_count + 1 }), /item_count: says/],
    [
      'a number that is not one',
      edit((f) => {
        f.items[3].extra = { N: '12abc' };
      }),
      /items\[3\]\.extra.*not a decimal number/,
    ],
    [
      'a number with 39 digits',
      edit((f) => {
        f.items[0].extra = { N: '1'.repeat(39) };
      }),
      /38 significant digits/,
    ],
    [
      'a number out of range',
      edit((f) => {
        f.items[0].extra = { N: '1e126' };
      }),
      /out of the range/,
    ],
    [
      'a type that does not exist',
      edit((f) => {
        f.items[1].extra = { X: 'y' };
      }),
      /items\[1\]\.extra/,
    ],
    [
      'two types in one value',
      edit((f) => {
        f.items[1].extra = { S: 'y', N: '1' };
      }),
      /items\[1\]\.extra/,
    ],
    [
      'binary that is not base64',
      edit((f) => {
        f.items[1].extra = { B: 'not base64!' };
      }),
      /not base64/,
    ],
    [
      'an empty set',
      edit((f) => {
        f.items[1].extra = { SS: [] };
      }),
      /set cannot be empty/,
    ],
    [
      'a set with a duplicate',
      edit((f) => {
        f.items[1].extra = { NS: ['1', '1'] };
      }),
      /twice/,
    ],
    [
      'an item without sk',
      edit((f) => {
        delete f.items[2].sk;
      }),
      /items\[2\]\.sk: key attribute missing/,
    ],
    [
      'a numeric pk',
      edit((f) => {
        f.items[2].pk = { N: '1' };
      }),
      /items\[2\]\.pk: key attribute must be a non-empty string/,
    ],
    [
      'an empty index key',
      edit((f) => {
        f.items[0].catalog_pk = { S: '' };
      }),
      /catalog_pk/,
    ],
    [
      'the same key twice',
      edit((f) => {
        f.items.push(f.items[0]);
        f.item_count++;
      }),
      /same key as items\[0\]/,
    ],
    ['an unknown header field', (f) => ({ ...f, extra: true }), /extra/],
  ];

  it.each(cases)('refuses %s with a message naming the problem', (_name, mutate, message) => {
    const text = JSON.stringify(mutate(valid()));
    expect(() => parseDataFile(text, 'bad.json')).toThrow(DataFileError);
    expect(() => parseDataFile(text, 'bad.json')).toThrow(message);
  });

  it('refuses text that is not JSON, and accepts the unchanged file', () => {
    expect(() => parseDataFile('{"format": "fulfillment-table-export", ', 'cut.json')).toThrow(/cut\.json .*not JSON/s);
    expect(parseDataFile(serializeDataFile(exported))).toEqual(exported);
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

// ---- the command line ---------------------------------------------------------------------

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(
  script: 'export' | 'import',
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn('npx', ['tsx', `local/${script}.ts`, ...args], {
      cwd: REPO,
      env: { ...process.env, TABLE_NAME: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('(f) npm run export / npm run import end to end', () => {
  it('exports, imports into a new table, refuses a second import, replaces on request', async () => {
    const endpoint = dynamodbEndpoint();
    const file = join(workDir, 'cli.json');
    const exportRun = await runCli('export', ['--endpoint', endpoint, '--out', file], { TABLE_NAME: sourceTable });
    expect(exportRun.stderr).not.toMatch(/Refused|Failed/);
    expect(exportRun.code).toBe(0);
    expect(exportRun.stdout).toContain(
      `Exported ${before.items.length} items of table ${sourceTable} at ${endpoint} to ${file}`,
    );
    expect(readDataFile(file).items).toEqual(exported.items);

    const target = freshTableName('cli');
    const importRun = await runCli('import', [file, '--endpoint', endpoint, '--table', target]);
    expect(importRun.code).toBe(0);
    expect(importRun.stdout).toContain(`Imported ${before.items.length} items from ${file}`);
    expect(await sortedItems(target)).toEqual(before.items);

    const [again, overwrite, replaced] = await Promise.all([
      runCli('import', [file, '--endpoint', endpoint, '--table', target]),
      runCli('export', ['--endpoint', endpoint, '--table', sourceTable, '--out', file]),
      runCli('import', [file, '--endpoint', endpoint, '--table', sourceTable, '--replace']),
    ]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('Refused, nothing was written');
    expect(again.stderr).toContain('already holds items');
    expect(overwrite.code).toBe(3);
    expect(overwrite.stderr).toContain('already exists');
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toContain(`Deleted the ${before.items.length} items`);
    expect(await sortedItems(sourceTable)).toEqual(before.items);
    expect(await sortedItems(target)).toEqual(before.items);
  });

  it('refuses bad files and bad command lines with exit codes 3 and 2, writing nothing', async () => {
    const endpoint = dynamodbEndpoint();
    const lateBad = JSON.parse(serializeDataFile(exported));
    lateBad.items[lateBad.items.length - 1].mass_g = { N: 'heavy' }; // the last item only
    const lateBadFile = join(workDir, 'late-bad.json');
    writeFileSync(lateBadFile, JSON.stringify(lateBad));
    const target = freshTableName('never');

    const [foreign, late, missing, noFile, unreachable] = await Promise.all([
      runCli('import', [join(REPO, 'package.json'), '--endpoint', endpoint, '--table', target]),
      runCli('import', [lateBadFile, '--endpoint', endpoint, '--table', target]),
      runCli('import', [join(workDir, 'no-such-file.json'), '--endpoint', endpoint, '--table', target]),
      runCli('import', ['--endpoint', endpoint]),
      runCli('export', [
        '--endpoint',
        'http://127.0.0.1:9',
        '--table',
        sourceTable,
        '--out',
        join(workDir, 'never.json'),
      ]),
    ]);
    expect(foreign.code).toBe(3);
    expect(foreign.stderr).toMatch(
      /package\.json is not a valid fulfillment-table-export file:\s+not an export of this service/,
    );
    expect(late.code).toBe(3);
    expect(late.stderr).toMatch(/items\[\d+\]\.mass_g\.N: "heavy": not a decimal number/);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/cannot be read \(ENOENT\)/);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('name the file to import');
    expect(unreachable.code).toBe(1);
    expect(existsSync(join(workDir, 'never.json'))).toBe(false);
    // Not even the table was created.
    expect(await tableNames()).not.toContain(target);
  });
});

// ---- the data-directory lock --------------------------------------------------------------

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((done) => child.on('exit', done));
  return child.pid!;
}

function writeLock(dataDir: string, info: Record<string, unknown>): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    lockPathOf(dataDir),
    JSON.stringify({ command: 'tsx local/start.ts', started_at: new Date().toISOString(), token: 'test', ...info }),
  );
}

describe('the data-directory lock', () => {
  it('is taken once: a live holder refuses others, release() frees it, a dead holder is taken over', async () => {
    const dataDir = join(workDir, 'lock-unit');
    mkdirSync(dataDir);
    const lock = acquireDataDirLock(dataDir, 'first');
    expect(readDataDirLock(dataDir)).toMatchObject({ live: true, info: { pid: process.pid, command: 'first' } });
    expect(() => acquireDataDirLock(dataDir, 'second')).toThrow(DataDirInUseError);
    expect(() => acquireDataDirLock(dataDir, 'second')).toThrow(/in use by process \d+, started .* by `first`/);
    lock.release();
    expect(existsSync(lockPathOf(dataDir))).toBe(false);

    // Stale: both recorded processes are dead.
    const dead = await deadPid();
    writeLock(dataDir, { pid: dead, java_pid: dead });
    expect(readDataDirLock(dataDir)?.live).toBe(false);
    const taken = acquireDataDirLock(dataDir, 'third');
    expect(readDataDirLock(dataDir)?.info?.command).toBe('third');
    taken.release();

    // Live as long as Java lives, even when its Node parent is gone.
    writeLock(dataDir, { pid: dead, java_pid: process.pid });
    expect(() => acquireDataDirLock(dataDir)).toThrow(DataDirInUseError);
    // An unreadable lock is never taken over silently.
    writeFileSync(lockPathOf(dataDir), 'garbage');
    expect(() => acquireDataDirLock(dataDir)).toThrow(/unreadable lock file.*delete/);
  });

  it('startDynamoDBLocal holds it while running: a second one on the same directory is refused', async () => {
    const dataDir = join(workDir, 'lock-java');
    const first = await startDynamoDBLocal({ dataDir });
    try {
      expect(readDataDirLock(dataDir)).toMatchObject({ live: true, info: { pid: process.pid, java_pid: first.pid } });
      await expect(startDynamoDBLocal({ dataDir })).rejects.toThrow(DataDirInUseError);
    } finally {
      await first.stop();
    }
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);
  }, 120_000);

  it('the tools refuse while a live process holds the data directory, and ignore a stale lock', async () => {
    const dataDir = join(workDir, 'lock-cli');
    writeLock(dataDir, { pid: process.pid }); // a live process, as `npm start` would be
    const file = join(workDir, 'lock-cli.json');
    writeDataFile(file, exported);

    const [exportRun, importRun] = await Promise.all([
      runCli('export', ['--data-dir', dataDir, '--out', join(workDir, 'lock-out.json')]),
      runCli('import', [file, '--data-dir', dataDir]),
    ]);
    for (const run of [exportRun, importRun]) {
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(`The data directory ${dataDir} is in use by process ${process.pid}`);
      expect(run.stderr).toContain('--endpoint');
    }
    expect(readdirNames(dataDir)).toEqual([LOCK_FILE_NAME]); // no database file was created

    // The holder died without cleaning up (kill -9): the tools take over the stale lock, using
    // their own DynamoDB Local on the directory (the default mode of `npm run import/export`).
    writeLock(dataDir, { pid: await deadPid(), java_pid: await deadPid() });
    const imported = await runCli('import', [file, '--data-dir', dataDir]);
    expect(imported.stderr).not.toMatch(/Refused|Failed/);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`into the new table fulfillment-local in ${dataDir}`);
    const out = join(workDir, 'lock-out.json');
    const exportedAgain = await runCli('export', ['--data-dir', dataDir, '--out', out]);
    expect(exportedAgain.code).toBe(0);
    expect(readDataFile(out).items).toEqual(exported.items);
    expect(readdirNames(dataDir)).not.toContain(LOCK_FILE_NAME); // given back after each run
  }, 180_000);
});

function readdirNames(dir: string): string[] {
  return readdirSync(dir).sort();
}
