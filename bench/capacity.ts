/**
 * The capacity model (docs/capacity.md): what one hot product and the whole table sustain in AWS.
 *
 * 1. Measures, on DynamoDB Local through the real handlers, the items each operation writes and
 *    their sizes, hence its write units and where they land (bench/capacity-operations.ts).
 * 2. Calculates from those figures, at AWS's limits (1,000 WCU/s per partition, transactional
 *    writes at double cost, 100 items per transaction, 40,000 WCU/s per on-demand table by
 *    default): the hot-product ceiling, the drain's ceiling, and the table-wide rate for catalogs
 *    of several sizes and skews (bench/capacity-model.ts).
 * 3. Simulates the design that would lift the hot-product ceiling: stock striped over K items
 *    under K partition keys (bench/stripe-simulation.ts), seeded.
 *
 * Run alone: `npx tsx bench/capacity.ts [--fill-orders 98] [--seconds 20] [--trials 200] [--seed 1]`;
 * prints the tables and writes bench/results/capacity.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { AWS_LIMITS, hotProducts, partitionRate, partitionsFor, tableWide, writeUnits } from './capacity-model.js';
import { type MeasuredOperations, measureOperations, type OperationFigures } from './capacity-operations.js';
import { argValue, isMain, round, seededRandom } from './lib.js';
import {
  type LowStockLevel,
  simulateLowStock,
  simulateThroughput,
  stockOutWcu,
  sustainedRate,
} from './stripe-simulation.js';

export interface CapacityOptions {
  /** Waiting orders one measured restock fills (98: two full batches of 49). */
  fillOrders: number;
  /** Simulated seconds per throughput run. */
  seconds: number;
  /** Low-stock trials per setting. */
  trials: number;
  seed: number;
  log?: (line: string) => void;
}

export interface CapacityResult {
  settings: Omit<CapacityOptions, 'log'>;
  limits: typeof AWS_LIMITS;
  measured: MeasuredOperations;
  productItem: { typicalBytes: number; typicalWcu: number; largestBytes: number; largestWcu: number };
  hotProduct: {
    /** In-stock orders/s one product takes: one transactional update of its item per order. */
    inStockOrdersPerSecond: number;
    inStockOrdersPerSecondLargest: number;
    /** Orders/s that wait on one product: its item, and its queue entry in the same partition key. */
    waitingOrdersPerSecond: number;
    waitingOrdersPerSecondByItem: number;
    /** The product's waiting orders live in one shard of the attention index. */
    waitingOrdersPerSecondByIndex: number;
  };
  drain: {
    /** Write units per fill, the restock's own writes shared among its fills (indexes included). */
    wcuPerFill: number;
    fillsPerTransaction: number;
    byProductItem: number;
    byProductPartition: number;
    byIndexPartition: number;
    fillsPerSecond: number;
    bound: string;
  };
  tableWide: {
    targetOrdersPerSecond: number;
    linesPerOrder: number;
    wcuPerOrder: number;
    wcuPerSecond: number;
    partitions: number;
    ordersPerSecondAtDefaultQuota: number;
    /** Products, equally ordered, that keep every product item under its ceiling at the target. */
    minimumProducts: number;
    mixed: { waitingShare: number; wcuPerOrder: number; wcuPerSecond: number; partitions: number };
    catalogs: Array<{
      products: number;
      skew: number;
      ordersPerSecond: number;
      bound: string;
      productsOverCeiling: number;
      stripesForHottest: number;
    }>;
  };
  stripes: {
    wcuPerStripeUpdate: number;
    throughput: Array<{
      stripes: number;
      nominal: number;
      sustained: number;
      saturated: number;
      stockOutWcu: number;
    }>;
    lowStock: Array<{ stripes: number; pick: string; levels: LowStockLevel[] }>;
    /** The fewest stripes that sustain the table's target on one product alone. */
    forTarget: { ordersPerSecond: number; stripes: number; sustained: number };
  };
}

const TARGET_ORDERS_PER_SECOND = 10_000;
const WAITING_SHARE = 0.1;
const STRIPES = [1, 2, 4, 8, 16, 32];
const LOW_STOCK_STRIPES = [2, 4, 8, 16];
/** Average units per stripe when an order arrives: the low-stock table's rows (>= 20, 5-20, 1-5, < 1). */
const STOCK_LEVELS = [20, 5, 1, 0];
const UNITS_PER_STRIPE = 50;
/** Hints as a function sees them with 16 other orders in flight since its last look. */
const HINT_LAG = 16;
/** At most this share of orders may find every stripe they try throttled. */
const MAX_FAILED_SHARE = 0.001;
const THROTTLE = { burstSeconds: 0.1, attempts: 3 } as const;

export async function runCapacityBench(options: CapacityOptions): Promise<CapacityResult> {
  const log = options.log ?? (() => {});
  const measured = await measureOperations({ fillOrders: options.fillOrders, log });
  const op = (key: string) => {
    const found = measured.operations.find((o) => o.key === key);
    if (!found) throw new Error(`operation ${key} was not measured`);
    return found;
  };
  const { log: _, ...settings } = options;
  const drain = drainCeiling(measured, op('restock-fills'));
  const result: CapacityResult = {
    settings,
    limits: AWS_LIMITS,
    measured,
    productItem: {
      typicalBytes: op('order-1-line').product!.itemMaxBytes,
      typicalWcu: op('order-1-line').product!.itemWcu,
      largestBytes: op('worst-restock-fills').product!.itemMaxBytes,
      largestWcu: writeUnits(op('worst-restock-fills').product!.itemMaxBytes, true),
    },
    hotProduct: hotProduct(op),
    drain,
    tableWide: tableWideFigures(op, drain),
    stripes: stripes(op('order-1-line').product!.itemWcu, options),
  };
  for (const line of describe(result)) log(line);
  return result;
}

/** Each in-stock order updates its product's item once, in a transaction; a waiting order also puts its queue entry there. */
function hotProduct(op: (key: string) => OperationFigures): CapacityResult['hotProduct'] {
  const waits = op('order-waits');
  return {
    inStockOrdersPerSecond: partitionRate(op('order-1-line').product!.itemWcu),
    inStockOrdersPerSecondLargest: partitionRate(op('worst-order-1-line').product!.itemWcu),
    waitingOrdersPerSecond: partitionRate(waits.product!.wcu),
    waitingOrdersPerSecondByItem: partitionRate(waits.product!.itemWcu),
    waitingOrdersPerSecondByIndex: partitionRate(waits.hottestIndexPartition!.wcu),
  };
}

/**
 * A batch of fills updates the product's item once, deletes each order's queue entry (same
 * partition key) and removes it from the attention index (one shard per product).
 */
function drainCeiling(measured: MeasuredOperations, restock: OperationFigures): CapacityResult['drain'] {
  const { batch, fillsPerTransaction } = measured.fills;
  const bounds = {
    'the product item': partitionRate(batch.product!.itemWcu, fillsPerTransaction),
    'the product partition key (item and queue entries)': partitionRate(batch.product!.wcu, fillsPerTransaction),
    'the attention index shard': partitionRate(batch.hottestIndexPartition!.wcu, fillsPerTransaction),
  };
  const [bound, fillsPerSecond] = Object.entries(bounds).sort((a, b) => a[1] - b[1])[0]!;
  return {
    wcuPerFill: round((restock.wcu + restock.indexWcu) / measured.fills.orders, 2),
    fillsPerTransaction,
    byProductItem: bounds['the product item'],
    byProductPartition: bounds['the product partition key (item and queue entries)'],
    byIndexPartition: bounds['the attention index shard'],
    fillsPerSecond,
    bound,
  };
}

function tableWideFigures(
  op: (key: string) => OperationFigures,
  drain: CapacityResult['drain'],
): CapacityResult['tableWide'] {
  const all = (o: OperationFigures) => o.wcu + o.indexWcu;
  const wcuPerOrder = all(op('order-2-lines'));
  // A waiting order costs its creation, then its share of the restock that fills it.
  const waitingThenFilled = all(op('order-waits')) + drain.wcuPerFill;
  const mixed = (1 - WAITING_SHARE) * wcuPerOrder + WAITING_SHARE * waitingThenFilled;
  const productCeiling = partitionRate(op('order-1-line').product!.itemWcu);
  const linesPerOrder = 2;
  return {
    targetOrdersPerSecond: TARGET_ORDERS_PER_SECOND,
    linesPerOrder,
    wcuPerOrder,
    wcuPerSecond: TARGET_ORDERS_PER_SECOND * wcuPerOrder,
    partitions: partitionsFor(TARGET_ORDERS_PER_SECOND * wcuPerOrder),
    ordersPerSecondAtDefaultQuota: AWS_LIMITS.tableWcuPerSecond / wcuPerOrder,
    minimumProducts: Math.ceil((TARGET_ORDERS_PER_SECOND * linesPerOrder) / productCeiling),
    mixed: {
      waitingShare: WAITING_SHARE,
      wcuPerOrder: round(mixed, 2),
      wcuPerSecond: Math.round(TARGET_ORDERS_PER_SECOND * mixed),
      partitions: partitionsFor(TARGET_ORDERS_PER_SECOND * mixed),
    },
    catalogs: [13, 100, 1000, 10_000].flatMap((products) =>
      [0, 1].map((skew) => {
        const input = { wcuPerOrder, linesPerOrder, products, skew, productCeiling };
        const wide = tableWide(input);
        return {
          products,
          skew,
          ordersPerSecond: Math.floor(wide.ordersPerSecond),
          bound: wide.bound,
          ...hotProducts(TARGET_ORDERS_PER_SECOND, input),
        };
      }),
    ),
  };
}

function stripes(wcuPerStripeUpdate: number, options: CapacityOptions): CapacityResult['stripes'] {
  const base = {
    wcuPerOrder: wcuPerStripeUpdate,
    partitionWcuPerSecond: AWS_LIMITS.partitionWcuPerSecond,
    seconds: options.seconds,
    ...THROTTLE,
  };
  const sustainedAt = (k: number) =>
    sustainedRate({ ...base, stripes: k }, () => seededRandom(options.seed), MAX_FAILED_SHARE);
  const throughput = STRIPES.map((k) => {
    const nominal = k * partitionRate(wcuPerStripeUpdate);
    const sustained = sustainedAt(k);
    const saturated = simulateThroughput({
      ...base,
      stripes: k,
      offeredPerSecond: 2 * nominal,
      random: seededRandom(options.seed),
    });
    return {
      stripes: k,
      nominal,
      sustained: Math.floor(sustained.servedPerSecond),
      saturated: Math.round(saturated.servedPerSecond),
      stockOutWcu: stockOutWcu(k, wcuPerStripeUpdate),
    };
  });
  const picks = [
    { pick: 'random', hintLag: 0 },
    { pick: 'hinted', hintLag: HINT_LAG },
    { pick: 'hinted', hintLag: 0 },
  ] as const;
  const lowStock = LOW_STOCK_STRIPES.flatMap((k) =>
    picks.map(({ pick, hintLag }) => ({
      stripes: k,
      pick: pick === 'random' ? 'random' : hintLag === 0 ? 'exact hints' : `hints ${hintLag} orders old`,
      levels: simulateLowStock({
        stripes: k,
        unitsPerStripe: UNITS_PER_STRIPE,
        pick,
        hintLag,
        wcuPerStripeUpdate,
        levels: STOCK_LEVELS,
        trials: options.trials,
        random: seededRandom(options.seed),
      }),
    })),
  );
  let k = Math.ceil(TARGET_ORDERS_PER_SECOND / partitionRate(wcuPerStripeUpdate));
  while (sustainedAt(k).servedPerSecond < TARGET_ORDERS_PER_SECOND) k++;
  const forTarget = {
    ordersPerSecond: TARGET_ORDERS_PER_SECOND,
    stripes: k,
    sustained: Math.floor(sustainedAt(k).servedPerSecond),
  };
  return { wcuPerStripeUpdate, throughput, lowStock, forTarget };
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The tables docs/capacity.md quotes, as Markdown. */
export function describe(r: CapacityResult): string[] {
  const lines: string[] = ['', '### Measured: items and write units per operation', ''];
  lines.push(
    '| operation | requests | item writes | items (largest bytes) | WCU table | WCU indexes | WCU on the product key (its item) | hottest index partition | RCU | DynamoDB Local reported |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: |',
  );
  const rows = [...r.measured.operations, r.measured.fills.batch, r.measured.fillsWithLots.batch];
  for (const o of rows) {
    const requests = Object.entries(o.requests)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    const items = o.items
      .map((i) => `${i.writes} ${i.item} ${i.action}${i.transactional ? ' (tx)' : ''} (${i.maxBytes} B)`)
      .join('; ');
    const product = o.product ? `${o.product.wcu} (${o.product.itemWcu})` : '0';
    const index = o.hottestIndexPartition
      ? `${o.hottestIndexPartition.partition}: ${o.hottestIndexPartition.wcu}`
      : '-';
    lines.push(
      `| ${o.name} | ${requests || '-'} | ${o.itemWrites} | ${items || '-'} | ${o.wcu} | ${o.indexWcu} | ${product} | ${index} | ${o.rcu} | ${o.localReportedCapacity || '-'} |`,
    );
  }
  const h = r.hotProduct;
  const d = r.drain;
  const t = r.tableWide;
  lines.push(
    '',
    '### Calculated: one hot product, the drain, the table',
    '',
    `ProductItem: ${r.productItem.typicalBytes} B typical (${r.productItem.typicalWcu} WCU per transactional update), ${r.productItem.largestBytes} B at its largest (${r.productItem.largestWcu} WCU).`,
    `Hot product: ${n(h.inStockOrdersPerSecond)} in-stock orders/s (${n(h.inStockOrdersPerSecondLargest)} at the largest item); waiting orders ${n(h.waitingOrdersPerSecond)}/s by the partition key (item ${n(h.waitingOrdersPerSecondByItem)}/s, index shard ${n(h.waitingOrdersPerSecondByIndex)}/s).`,
    `Drain: ${d.wcuPerFill} WCU per fill, ${d.fillsPerTransaction} fills per transaction; ${n(d.byProductItem)} fills/s by the product item, ${n(d.byProductPartition)} by the product partition key, ${n(d.byIndexPartition)} by the attention index shard: ${n(d.fillsPerSecond)} fills/s (${d.bound}).`,
    `Table: ${n(t.targetOrdersPerSecond)} in-stock orders/s of ${t.linesPerOrder} lines = ${n(t.wcuPerSecond)} WCU/s (${t.wcuPerOrder} per order), ${t.partitions} partitions' worth; the default quota of ${n(AWS_LIMITS.tableWcuPerSecond)} WCU/s allows ${n(t.ordersPerSecondAtDefaultQuota)} orders/s; at least ${t.minimumProducts} products ordered alike.`,
    `With ${pct(t.mixed.waitingShare)} of orders waiting then filled: ${t.mixed.wcuPerOrder} WCU per order, ${n(t.mixed.wcuPerSecond)} WCU/s, ${t.mixed.partitions} partitions' worth.`,
    '',
    '| products | popularity | orders/s (2 lines) | bound | products over the ceiling at 10,000/s | stripes for the hottest |',
    '| ---: | --- | ---: | --- | ---: | ---: |',
  );
  for (const c of t.catalogs) {
    lines.push(
      `| ${n(c.products)} | ${c.skew === 0 ? 'even' : `Zipf ${c.skew}`} | ${n(c.ordersPerSecond)} | ${c.bound} | ${n(c.productsOverCeiling)} | ${c.stripesForHottest} |`,
    );
  }
  lines.push(
    '',
    `### Simulated: stock striped over K partition keys (${r.stripes.wcuPerStripeUpdate} WCU per stripe update)`,
    '',
    '| stripes | nominal orders/s | sustained (<= 0.1 % throttled) | served at 2x offered | closing the product (WCU) |',
    '| ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of r.stripes.throughput) {
    lines.push(`| ${s.stripes} | ${n(s.nominal)} | ${n(s.sustained)} | ${n(s.saturated)} | ${s.stockOutWcu} |`);
  }
  const f = r.stripes.forTarget;
  lines.push(
    '',
    `One product taking all ${n(f.ordersPerSecond)} orders/s needs ${f.stripes} stripes (${n(f.sustained)} orders/s sustained).`,
  );
  const levelName = (l: number) => (l === 0 ? '< 1' : l === 1 ? '1-5' : l === 5 ? '5-20' : `>= ${l}`);
  lines.push(
    '',
    `| stripes | stripe picked by | ${STOCK_LEVELS.map((l) => `misses at ${levelName(l)} units/stripe`).join(' | ')} | WCU per order at < 1 |`,
    `| ---: | --- | ${STOCK_LEVELS.map(() => '---:').join(' | ')} | ---: |`,
  );
  for (const s of r.stripes.lowStock) {
    const low = s.levels[s.levels.length - 1]!;
    lines.push(
      `| ${s.stripes} | ${s.pick} | ${s.levels.map((l) => `${pct(l.missShare)} (${n(l.orders)})`).join(' | ')} | ${round(low.wcuPerOrder, 2)} |`,
    );
  }
  lines.push('');
  return lines;
}

/** bench/results/capacity.json: the figures docs/capacity.md quotes. */
export function writeCapacityJson(result: CapacityResult): void {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/capacity.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
}

if (isMain(import.meta.url)) {
  const result = await runCapacityBench({
    fillOrders: Number(argValue('fill-orders', '98')),
    seconds: Number(argValue('seconds', '20')),
    trials: Number(argValue('trials', '200')),
    seed: Number(argValue('seed', '1')),
    log: console.log,
  });
  writeCapacityJson(result);
  console.log('wrote bench/results/capacity.json');
  process.exit(result.measured.violations.length === 0 ? 0 : 1);
}
