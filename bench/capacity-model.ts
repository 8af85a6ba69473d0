/**
 * DynamoDB's capacity arithmetic, pure: what an item weighs by DynamoDB's size rules, the write
 * and read units it costs, what a change costs a keys-only index, and the rates one partition and
 * one table sustain at AWS's limits. bench/capacity.ts feeds it the items the service really
 * writes on DynamoDB Local (whose own capacity figures are simplistic: it reports one unit per
 * transaction item whatever its size), and test/unit/capacity-model.test.ts checks it.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** AWS's limits the model works against (DynamoDB developer guide, service quotas). */
export const AWS_LIMITS = {
  /** Per partition, so also per item: an item never spreads over partitions. */
  partitionWcuPerSecond: 1000,
  partitionRcuPerSecond: 3000,
  /** The default per-table quota for on-demand tables; adjustable through Service Quotas. */
  tableWcuPerSecond: 40_000,
  transactionItems: 100,
  writeUnitBytes: 1024,
  readUnitBytes: 4096,
} as const;

export type Item = Record<string, AttributeValue>;

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/**
 * A number's size: about 1 byte per two significant digits, plus 1 (leading and trailing zeros
 * are not stored, so 1000 weighs what 1 does).
 */
export function numberBytes(text: string): number {
  const mantissa = text.replace(/^[-+]/, '').split(/e/i)[0]!.replace('.', '');
  const digits = mantissa.replace(/^0+/, '').replace(/0+$/, '').length;
  return Math.ceil(Math.max(1, digits) / 2) + 1;
}

/** The size of a value, without its attribute name. */
export function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + numberBytes(s), 0);
  if (value.BS !== undefined) return value.BS.reduce((n, b) => n + b.length, 0);
  // Lists and maps: 3 bytes whatever they hold, and 1 more per element.
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueBytes(v), 0);
  if (value.M !== undefined)
    return 3 + Object.entries(value.M).reduce((n, [k, v]) => n + 1 + utf8(k) + valueBytes(v), 0);
  throw new Error(`unknown attribute value ${JSON.stringify(value)}`);
}

/** An item's size: its attribute names and values (what DynamoDB bills, not what it stores). */
export function itemBytes(item: Item): number {
  return Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + valueBytes(value), 0);
}

/** Write units: one per started KB of the item, doubled in a transaction (prepare and commit). */
export function writeUnits(bytes: number, transactional: boolean): number {
  return Math.max(1, Math.ceil(bytes / AWS_LIMITS.writeUnitBytes)) * (transactional ? 2 : 1);
}

/** Read units: one per started 4 KB read strongly consistent, half that eventually consistent. */
export function readUnits(bytes: number, consistent: boolean): number {
  return Math.max(1, Math.ceil(bytes / AWS_LIMITS.readUnitBytes)) * (consistent ? 1 : 0.5);
}

export interface KeysOnlyIndex {
  name: string;
  partitionKey: string;
  sortKey: string;
}

/** One entry a write adds to or removes from an index; each costs a write unit per KB on the index. */
export interface IndexWrite {
  index: string;
  /** The index partition the entry lives in (its partition key's value). */
  partition: string;
  bytes: number;
}

/**
 * What a change of one item costs a keys-only index: nothing when its index keys stay as they
 * were (the entry holds nothing else), one write when an entry appears or goes, two when it
 * moves (its keys changed: a delete and a put). The index is updated after the table's write,
 * outside a transaction's two phases, so its writes are never doubled.
 */
export function indexWrites(
  before: Item | undefined,
  after: Item | undefined,
  index: KeysOnlyIndex,
  tableKeys: readonly string[] = ['pk', 'sk'],
): IndexWrite[] {
  const entry = (item: Item | undefined): IndexWrite | undefined => {
    const partition = item?.[index.partitionKey]?.S;
    if (!item || partition === undefined || item[index.sortKey] === undefined) return undefined;
    const keys = [...tableKeys, index.partitionKey, index.sortKey];
    const projected = Object.fromEntries(keys.flatMap((k) => (item[k] ? [[k, item[k]]] : [])));
    return { index: index.name, partition, bytes: itemBytes(projected) };
  };
  const old = entry(before);
  const now = entry(after);
  if (old && now && old.partition === now.partition && sameValue(before![index.sortKey]!, after![index.sortKey]!)) {
    return [];
  }
  return [...(old ? [old] : []), ...(now ? [now] : [])];
}

const sameValue = (a: AttributeValue, b: AttributeValue) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Operations per second one partition (or one item) sustains when each costs `wcu` write units
 * there, times the units of work each carries (fills in a batch, for example).
 */
export function partitionRate(
  wcu: number,
  workPerOperation = 1,
  budget: number = AWS_LIMITS.partitionWcuPerSecond,
): number {
  return wcu > 0 ? (budget / wcu) * workPerOperation : Number.POSITIVE_INFINITY;
}

/** Partitions' worth of write throughput a table needs for `wcuPerSecond`. */
export function partitionsFor(wcuPerSecond: number): number {
  return Math.ceil(wcuPerSecond / AWS_LIMITS.partitionWcuPerSecond);
}

/** Generalised harmonic number H(n, s): the sum of 1/i^s for i = 1..n. */
export function harmonic(n: number, s: number): number {
  let h = 0;
  for (let i = 1; i <= n; i++) h += 1 / i ** s;
  return h;
}

/**
 * The share of all order lines that go to the i-th most ordered product (i from 1) when
 * popularity follows Zipf's law with exponent `skew` (0: every product alike).
 */
export function productShare(products: number, skew: number, rank = 1): number {
  return 1 / rank ** skew / harmonic(products, skew);
}

export interface TableWideInput {
  /** Write units an order costs (all its items, index entries included). */
  wcuPerOrder: number;
  linesPerOrder: number;
  products: number;
  /** Zipf exponent of product popularity: 0 even, 1 a typical catalog. */
  skew: number;
  /** Updates per second one product item takes (see partitionRate). */
  productCeiling: number;
  tableWcuPerSecond?: number;
}

export interface TableWide {
  /** What the table quota allows. */
  byTableQuota: number;
  /** What the most ordered product allows: its item takes productCeiling updates/s. */
  byHottestProduct: number;
  ordersPerSecond: number;
  bound: 'table quota' | 'hottest product';
}

/** Orders per second the whole table sustains: its quota, or its hottest product, whichever binds first. */
export function tableWide(input: TableWideInput): TableWide {
  const byTableQuota = (input.tableWcuPerSecond ?? AWS_LIMITS.tableWcuPerSecond) / input.wcuPerOrder;
  const byHottestProduct = input.productCeiling / (productShare(input.products, input.skew) * input.linesPerOrder);
  return {
    byTableQuota,
    byHottestProduct,
    ordersPerSecond: Math.min(byTableQuota, byHottestProduct),
    bound: byTableQuota <= byHottestProduct ? 'table quota' : 'hottest product',
  };
}

/**
 * At `ordersPerSecond`, the products whose item would need more than `productCeiling` updates/s,
 * and the stripes the most ordered one needs (see bench/stripe-simulation.ts).
 */
export function hotProducts(
  ordersPerSecond: number,
  input: Pick<TableWideInput, 'linesPerOrder' | 'products' | 'skew' | 'productCeiling'>,
): { productsOverCeiling: number; stripesForHottest: number } {
  const lineRate = (rank: number) =>
    ordersPerSecond * input.linesPerOrder * productShare(input.products, input.skew, rank);
  let over = 0;
  while (over < input.products && lineRate(over + 1) > input.productCeiling) over++;
  return { productsOverCeiling: over, stripesForHottest: Math.ceil(lineRate(1) / input.productCeiling) };
}
