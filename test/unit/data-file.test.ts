/**
 * The export file of `npm run export` / `npm run import` (local/data-file.ts) is validated in
 * full before anything is written: each way a file can be wrong is refused with a message
 * naming the problem. Pure: the file is built here, no table, no process (the round trip
 * through DynamoDB Local is test/integration/export-import.test.ts's).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  buildDataFile,
  DataFileError,
  fromJsonItem,
  parseDataFile,
  readDataFile,
  serializeDataFile,
  type DataFile,
} from '../../local/data-file.js';

type Item = Record<string, AttributeValue>;
const MAX_ID = '9007199254740991'; // 2^53-1

/** Items of every kind the table holds, as DynamoDB returns them. */
const ITEMS: Item[] = [
  {
    pk: { S: 'PRODUCT#1' },
    sk: { S: 'PRODUCT' },
    product_id: { N: '1' },
    product_name: { S: 'RBC A+ Adult' },
    mass_g: { N: '700' },
    on_hand: { N: '4' },
    catalog_pk: { S: 'CATALOG' },
    catalog_sk: { S: '0000000000000001' },
  },
  {
    pk: { S: 'PRODUCT#2' },
    sk: { S: 'PRODUCT' },
    product_id: { N: '2' },
    product_name: { S: 'FFP A+' },
    mass_g: { N: '300' },
    on_hand: { N: '0' },
    backordered: { N: '2' },
  },
  { pk: { S: 'PRODUCT#2' }, sk: { S: 'WAIT#0mwve9ck6-waiting-1' }, remaining: { N: '2' } },
  {
    pk: { S: `ORDER#${MAX_ID}` },
    sk: { S: 'ORDER' },
    order_id: { N: MAX_ID },
    requested: { M: { '1': { N: '6' } } },
    shipped: { M: { '1': { N: '6' } } },
  },
  {
    pk: { S: `ORDER#${MAX_ID}` },
    sk: { S: 'SHIP#e-1' },
    packages: { L: [{ M: { count: { N: '1' }, mass_g: { N: '1400' } } }] },
  },
  {
    pk: { S: 'RESTOCK#restock-key-1' },
    sk: { S: 'RESTOCK' },
    expires_at: { N: '1893456000' },
    lines: { SS: ['1:10', '2:2'] },
  },
];
const exported: DataFile = buildDataFile('fulfillment-local', ITEMS, new Date('2026-12-01T12:00:00Z'));

describe('the file', () => {
  it('has the header, every item, and numbers as the strings DynamoDB gave', () => {
    const text = serializeDataFile(exported);
    expect(JSON.parse(text)).toMatchObject({
      format: 'fulfillment-table-export',
      version: 1,
      table_name: 'fulfillment-local',
      exported_at: '2026-12-01T12:00:00.000Z',
      item_count: ITEMS.length,
    });
    // Numbers stay strings in the file: nothing passes through a JS double.
    expect(text).toContain(`"order_id":{"N":"${MAX_ID}"}`);
    expect(exported.items.map(fromJsonItem)).toEqual(expect.arrayContaining(ITEMS));
  });
});

describe('the file is validated before anything is written', () => {
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

  it('says when the file cannot be read at all', () => {
    const missing = '/nonexistent/fulfillment-export.json';
    expect(() => readDataFile(missing)).toThrow(DataFileError);
    expect(() => readDataFile(missing)).toThrow(
      /fulfillment-export\.json is not a valid .*\s+cannot be read \(ENOENT\)/,
    );
  });

  it('names the file of another tool plainly, not with a page of schema errors', () => {
    const packageJson = JSON.stringify({ name: 'fulfillment-service', version: '0.1.0', scripts: { start: 'x' } });
    expect(() => parseDataFile(packageJson, '/repo/package.json')).toThrow(
      /package\.json is not a valid fulfillment-table-export file:\s+not an export of this service/,
    );
  });

  it('finds a bad value in the last item only (the whole file is checked, not a sample)', () => {
    const lateBad = valid();
    lateBad.items[lateBad.items.length - 1].mass_g = { N: 'heavy' };
    expect(() => parseDataFile(JSON.stringify(lateBad), 'late-bad.json')).toThrow(
      new RegExp(`items\\[${lateBad.items.length - 1}\\]\\.mass_g\\.N: "heavy": not a decimal number`),
    );
  });
});
