/**
 * The export file of `npm run export` / `npm run import`: a small header and every item of the
 * table in DynamoDB JSON (the AttributeValue form of the low-level API), one item per line.
 *
 *   { "format": "fulfillment-table-export", "version": 1, "table_name": "fulfillment-local",
 *     "exported_at": "2025-01-01T12:00:00.000Z", "item_count": 2,
 *     "items": [ {"pk":{"S":"PRODUCT#1"},"sk":{"S":"PRODUCT"},"on_hand":{"N":"5"}, ...}, ... ] }
 *
 * Lossless by construction: numbers stay the decimal strings DynamoDB returned (so 2^53-1, the
 * TTL attribute `expires_at` and 38-digit values are never squeezed through a JS double), and
 * every AttributeValue type round-trips: S, N, B (base64), BOOL, NULL, M, L, SS, NS, BS.
 *
 * parseDataFile validates the whole file before anything is written: a foreign file, a newer
 * version, a malformed value, a key DynamoDB would refuse or a duplicate item is an error.
 */
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { GLOBAL_SECONDARY_INDEXES, PARTITION_KEY, SORT_KEY } from '../functions/store/table-definition.js';

export const DATA_FILE_FORMAT = 'fulfillment-table-export';
export const DATA_FILE_VERSION = 1;

/** An AttributeValue as it appears in the file: binary as base64 text, nothing else changed. */
export type JsonAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, JsonAttributeValue> }
  | { L: JsonAttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };
export type JsonItem = Record<string, JsonAttributeValue>;
export type Item = Record<string, AttributeValue>;

export interface DataFileHeader {
  format: typeof DATA_FILE_FORMAT;
  version: typeof DATA_FILE_VERSION;
  table_name: string;
  exported_at: string;
  item_count: number;
}
export interface DataFile extends DataFileHeader {
  items: JsonItem[];
}

/** Thrown for a file that must not be imported; `problems` lists each reason (path: message). */
export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    const shown = problems.slice(0, 10);
    const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
    super(`${file} is not a valid ${DATA_FILE_FORMAT} file:\n  ${shown.join('\n  ')}${more}`);
    this.name = 'DataFileError';
  }
}

// ---- schema --------------------------------------------------------------------------------

/** DynamoDB's number: up to 38 significant digits, magnitude 1e-130 .. 9.99e125 (or zero). */
function numberProblem(text: string): string | undefined {
  const match = /^-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return 'not a decimal number';
  const whole = match[1]!.replace(/^0+/, '');
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? 0);
  const significant = `${whole}${fraction}`.replace(/^0+/, '').replace(/0+$/, '');
  if (significant === '') return undefined; // zero
  if (significant.length > 38) return 'more than 38 significant digits';
  // Decimal exponent of the leading non-zero digit.
  const leading =
    whole !== '' ? whole.length - 1 + exponent : -(fraction.length - fraction.replace(/^0+/, '').length + 1) + exponent;
  if (leading > 125 || leading < -130) return 'out of the range of a DynamoDB number';
  return undefined;
}

const numberText = z.string().superRefine((text, ctx) => {
  const problem = numberProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)}: ${problem}` });
});
const base64Text = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'not base64');
const distinct = <T extends z.ZodType<string>>(element: T) =>
  z
    .array(element)
    .min(1, 'a set cannot be empty')
    .refine((values) => new Set(values).size === values.length, 'a set cannot hold a value twice');

const attributeValue: z.ZodType<JsonAttributeValue> = z.lazy(() =>
  z.union([
    z.strictObject({ S: z.string() }),
    z.strictObject({ N: numberText }),
    z.strictObject({ B: base64Text }),
    z.strictObject({ BOOL: z.boolean() }),
    z.strictObject({ NULL: z.literal(true) }),
    z.strictObject({ M: z.record(z.string(), attributeValue) }),
    z.strictObject({ L: z.array(attributeValue) }),
    z.strictObject({ SS: distinct(z.string()) }),
    z.strictObject({ NS: distinct(numberText) }),
    z.strictObject({ BS: distinct(base64Text) }),
  ]),
);

/** Key attributes of the table and its indexes must be non-empty strings, or DynamoDB refuses the item. */
const STRING_KEY_ATTRIBUTES = [
  PARTITION_KEY,
  SORT_KEY,
  ...GLOBAL_SECONDARY_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey]),
];

const item = z.record(z.string(), attributeValue).superRefine((value, ctx) => {
  for (const name of STRING_KEY_ATTRIBUTES) {
    const attribute = value[name];
    const required = name === PARTITION_KEY || name === SORT_KEY;
    if (attribute === undefined) {
      if (required) ctx.addIssue({ code: 'custom', path: [name], message: 'key attribute missing' });
    } else if (!('S' in attribute) || attribute.S === '') {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'key attribute must be a non-empty string ({"S": "..."})',
      });
    }
  }
});

const dataFileSchema = z
  .strictObject({
    format: z.literal(DATA_FILE_FORMAT),
    version: z.literal(DATA_FILE_VERSION),
    table_name: z.string().min(1),
    exported_at: z.iso.datetime(),
    item_count: z.number().int().min(0),
    items: z.array(item),
  })
  .superRefine((file, ctx) => {
    if (file.item_count !== file.items.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['item_count'],
        message: `says ${file.item_count} items, the file holds ${file.items.length}`,
      });
    }
    const seen = new Map<string, number>();
    file.items.forEach((entry, index) => {
      const key = JSON.stringify([entry[PARTITION_KEY], entry[SORT_KEY]]);
      const first = seen.get(key);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: ['items', index], message: `same key as items[${first}]: ${key}` });
      else seen.set(key, index);
    });
  });

// ---- reading and writing ------------------------------------------------------------------

/** Validates the text of a file; throws DataFileError listing what is wrong. */
export function parseDataFile(text: string, file = 'the file'): DataFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DataFileError(file, [`not JSON (${(error as Error).message})`]);
  }
  // Say "foreign file" plainly instead of a page of schema errors.
  const format = (json as { format?: unknown } | null)?.format;
  if (typeof json !== 'object' || json === null || Array.isArray(json) || format !== DATA_FILE_FORMAT) {
    throw new DataFileError(file, [
      `not an export of this service: "format" is ${JSON.stringify(format)}, expected "${DATA_FILE_FORMAT}"`,
    ]);
  }
  const version = (json as { version?: unknown }).version;
  if (version !== DATA_FILE_VERSION) {
    throw new DataFileError(file, [
      `version ${JSON.stringify(version)} is not supported (this tool reads version ${DATA_FILE_VERSION})`,
    ]);
  }
  const result = dataFileSchema.safeParse(json);
  if (!result.success) {
    throw new DataFileError(
      file,
      result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  return result.data as DataFile;
}

export function readDataFile(path: string): DataFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataFileError(path, [
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    ]);
  }
  return parseDataFile(text, path);
}

export function buildDataFile(tableName: string, items: Item[], exportedAt = new Date()): DataFile {
  const jsonItems = items.map(toJsonItem).sort(compareKeys);
  return {
    format: DATA_FILE_FORMAT,
    version: DATA_FILE_VERSION,
    table_name: tableName,
    exported_at: exportedAt.toISOString(),
    item_count: jsonItems.length,
    items: jsonItems,
  };
}

/** The header pretty-printed, then one item per line (readable, and diffs line by item). */
export function serializeDataFile(file: DataFile): string {
  const { items, ...header } = file;
  const head = JSON.stringify(header, null, 2).slice(0, -2); // without "\n}"
  const body = items.map((entry) => `    ${JSON.stringify(entry)}`).join(',\n');
  return `${head},\n  "items": [${items.length ? `\n${body}\n  ` : ''}]\n}\n`;
}

/**
 * Writes a temporary file, then moves it into place (link(2) when `overwrite` is off, which fails
 * if the file exists): a failed export never leaves half a file, nor replaces an existing one.
 */
export function writeDataFile(path: string, file: DataFile, { overwrite = false } = {}): void {
  const temp = `${path}.${randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(temp, serializeDataFile(file), { flag: 'wx' });
  try {
    if (overwrite) renameSync(temp, path);
    else linkSync(temp, path);
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already renamed
    }
  }
}

// ---- AttributeValue <-> file form ---------------------------------------------------------

export function toJsonItem(value: Item): JsonItem {
  const out: JsonItem = {};
  for (const name of Object.keys(value).sort()) out[name] = toJsonValue(value[name]!);
  return out;
}

export function fromJsonItem(value: JsonItem): Item {
  const out: Item = {};
  for (const [name, attribute] of Object.entries(value)) out[name] = fromJsonValue(attribute);
  return out;
}

function toJsonValue(value: AttributeValue): JsonAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: true };
  if (value.M !== undefined) return { M: toJsonItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toJsonValue) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  throw new Error(`unsupported AttributeValue ${JSON.stringify(value)}`);
}

function fromJsonValue(value: JsonAttributeValue): AttributeValue {
  if ('S' in value) return { S: value.S };
  if ('N' in value) return { N: value.N };
  if ('B' in value) return { B: new Uint8Array(Buffer.from(value.B, 'base64')) };
  if ('BOOL' in value) return { BOOL: value.BOOL };
  if ('NULL' in value) return { NULL: true };
  if ('M' in value) return { M: fromJsonItem(value.M) };
  if ('L' in value) return { L: value.L.map(fromJsonValue) };
  if ('SS' in value) return { SS: [...value.SS] };
  if ('NS' in value) return { NS: [...value.NS] };
  return { BS: value.BS.map((b) => new Uint8Array(Buffer.from(b, 'base64'))) };
}

function compareKeys(a: JsonItem, b: JsonItem): number {
  const ka = `${keyText(a[PARTITION_KEY])}\u0000${keyText(a[SORT_KEY])}`;
  const kb = `${keyText(b[PARTITION_KEY])}\u0000${keyText(b[SORT_KEY])}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function keyText(value: JsonAttributeValue | undefined): string {
  return value && 'S' in value ? value.S : JSON.stringify(value ?? null);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(file)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('');
}
