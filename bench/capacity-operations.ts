/**
 * The service's operations, one at a time on DynamoDB Local through the real handlers, with
 * every item each one writes and reads sized by DynamoDB's rules (bench/write-meter.ts): the
 * measured half of the capacity model (docs/capacity.md). Everything else in the model is
 * arithmetic on these figures.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig } from '../local/local-aws-env.js';
import { installRequestCounter } from '../test/support/request-counter.js';
import { round } from './lib.js';
import { type BenchService, startBenchService } from './local-service.js';
import { installWriteMeter, type MeteredRequest, type WriteAction } from './write-meter.js';

export interface ItemFigures {
  /** The item's type, from its sort key (see docs/design.md, "Items"). */
  item: string;
  action: WriteAction;
  transactional: boolean;
  writes: number;
  maxBytes: number;
  wcu: number;
}

export interface OperationFigures {
  key: string;
  name: string;
  /** DynamoDB requests by command. */
  requests: Record<string, number>;
  failedRequests: number;
  items: ItemFigures[];
  itemWrites: number;
  /** Write units on the table, and on its indexes. */
  wcu: number;
  indexWcu: number;
  /** The product partition key written most (`PRODUCT#<id>`): its write units, those of its ProductItem alone. */
  product?: { partition: string; wcu: number; itemWcu: number; itemUpdates: number; itemMaxBytes: number };
  /** The index partition written most. */
  hottestIndexPartition?: { partition: string; wcu: number };
  rcu: number;
  /** What DynamoDB Local reported with ReturnConsumedCapacity, for contrast. */
  localReportedCapacity: number;
}

export interface MeasuredOperations {
  operations: OperationFigures[];
  /** The restock that fills waiting orders, per fill transaction (the batch) and per fill. */
  fills: { orders: number; transactions: number; fillsPerTransaction: number; batch: OperationFigures };
  /** The same restock with its units in FILL_LOTS lots (issue 13): fills take across them, first expired first. */
  fillsWithLots: { lots: number; transactions: number; fillsPerTransaction: number; batch: OperationFigures };
  /** Product marks the measured sweeper pass found and cleared. */
  sweptProducts: number;
  /** SPEC invariants over the table once every operation ran (test/support/invariants.ts). */
  violations: string[];
}

const TYPICAL = { product_id: 3, product_name: 'RBC O- Adult', mass_g: 680 };
const SECOND = { product_id: 10, product_name: 'Platelets A+', mass_g: 300 };
const WAITING = { product_id: 12, product_name: 'Plasma AB', mass_g: 450 };
const DRAINED = { product_id: 4, product_name: 'RBC O+ Adult', mass_g: 680 };
const DRAINED_LOTS = { product_id: 5, product_name: 'Platelets O+', mass_g: 300 };
const FILL_LOTS = 5;
/**
 * The largest ProductItem the limits allow: 200 four-byte characters, the largest id, a
 * 255-character drain owner, and 40 named lots on hand (MAX_LOTS_ON_HAND) of 64-character names,
 * each with an expiry, beside the unnamed lot. The first lot holds 3 units and the reserve all 42,
 * so the fill and the order measured take from it without emptying it: all 40 lots stay.
 */
const WORST_LOTS = Array.from({ length: 40 }, (_, i) => ({
  lot: `${'L'.repeat(62)}${String(i).padStart(2, '0')}`,
  quantity: i === 0 ? 3 : 1,
  expires_at: new Date(Date.UTC(2099, 0, 1 + i)).toISOString(),
}));
const WORST = {
  product_id: Number.MAX_SAFE_INTEGER,
  product_name: '\u{1FA78}'.repeat(200),
  mass_g: 1800,
  emergency_reserve: WORST_LOTS.reduce((sum, l) => sum + l.quantity, 0),
};
const WORST_RESTOCK_KEY = 'k'.repeat(255);

export async function measureOperations(options: {
  fillOrders: number;
  log?: (line: string) => void;
}): Promise<MeasuredOperations> {
  const log = options.log ?? (() => {});
  const service = await startBenchService(['bench-capacity']);
  const reader = new DynamoDBClient(localClientConfig(service.dynamodb.endpoint));
  try {
    // Imported after the service set the environment and its own DynamoDB client.
    const { documentClient, tableName } = await import('../functions/commons/dynamodb.js');
    const { GLOBAL_SECONDARY_INDEXES } = await import('../functions/store/table-definition.js');
    const { sweep } = await import('../functions/use-cases/sweep.js');
    const { readState, violations } = await import('../test/support/invariants.js');
    const meter = installWriteMeter(documentClient(), { reader, tableName, indexes: GLOBAL_SECONDARY_INDEXES });
    const counter = installRequestCounter(documentClient());
    const api = requests(service);
    const operations: OperationFigures[] = [];
    const measure = async (key: string, name: string, work: () => Promise<void>): Promise<OperationFigures> => {
      meter.reset();
      counter.reset();
      meter.resume();
      counter.resume();
      try {
        await work();
      } finally {
        meter.pause();
        counter.pause();
      }
      const figures = summarize(key, name, meter.requests(), counter.counts().capacity);
      operations.push(figures);
      log(
        `capacity: ${name}: ${figures.itemWrites} item writes, ${figures.wcu} WCU + ${figures.indexWcu} on indexes, ${figures.product?.wcu ?? 0} WCU on ${figures.product?.partition ?? 'no product'}, ${figures.rcu} RCU (DynamoDB Local reported ${figures.localReportedCapacity})`,
      );
      return figures;
    };
    meter.pause();
    counter.pause();

    // Stock on hand for the in-stock orders, and a warm function: the orders measured are
    // planned on the stock it remembers, as every order on a warm Lambda is.
    await api.catalog([TYPICAL, SECOND, WAITING, DRAINED, DRAINED_LOTS, WORST]);
    await api.restock([
      [TYPICAL.product_id, 1_000_000],
      [SECOND.product_id, 1_000_000],
    ]);
    await api.order([[TYPICAL.product_id, 1]], 'fulfilled');
    await api.order([[SECOND.product_id, 1]], 'fulfilled');
    await api.order([[WAITING.product_id, 1]], 'backordered');

    await measure('order-1-line', 'in-stock order, 1 line', () => api.order([[TYPICAL.product_id, 1]], 'fulfilled'));
    await measure('order-2-lines', 'in-stock order, 2 lines', () =>
      api.order(
        [
          [TYPICAL.product_id, 1],
          [SECOND.product_id, 2],
        ],
        'fulfilled',
      ),
    );
    await measure('order-waits', 'order that waits (1 line)', () =>
      api.order([[WAITING.product_id, 1]], 'backordered'),
    );
    await measure('restock-idle', 'restock, nobody waiting (1 line)', () => api.restock([[SECOND.product_id, 10]]));

    for (let i = 0; i < options.fillOrders; i++) await api.order([[DRAINED.product_id, 1]], 'backordered');
    await measure('restock-fills', `restock filling ${options.fillOrders} waiting orders (1 line)`, async () => {
      const answer = await api.restock([[DRAINED.product_id, options.fillOrders]]);
      if (answer.shipments.length !== options.fillOrders || answer.draining) {
        throw new Error(`the drain shipped ${answer.shipments.length} of ${options.fillOrders} orders`);
      }
    });
    const fillTransactions = meter
      .requests()
      .filter((r) => r.command === 'TransactWriteItems' && r.writes.some((w) => w.sk.startsWith('WAIT#')));

    for (let i = 0; i < options.fillOrders; i++) await api.order([[DRAINED_LOTS.product_id, 1]], 'backordered');
    const lots = Array.from({ length: FILL_LOTS }, (_, i) => ({
      lot: `PLT-${i + 1}`,
      quantity: Math.ceil(options.fillOrders / FILL_LOTS),
      expires_at: new Date(Date.UTC(2099, 0, 1 + i)).toISOString(),
    }));
    await measure(
      'restock-fills-lots',
      `restock of ${FILL_LOTS} lots filling ${options.fillOrders} waiting orders`,
      async () => {
        const answer = await api.restockLots(DRAINED_LOTS.product_id, lots);
        if (answer.shipments.length !== options.fillOrders || answer.draining) {
          throw new Error(`the drain shipped ${answer.shipments.length} of ${options.fillOrders} orders`);
        }
      },
    );
    const lotFillTransactions = meter
      .requests()
      .filter((r) => r.command === 'TransactWriteItems' && r.writes.some((w) => w.sk.startsWith('WAIT#')));

    // The sweeper, a minute later in AWS: every product a restock marked is due. `recover` takes
    // every mark as due now (what `npm start` does after a crash) instead of waiting for them.
    await measure('sweeper-marks', 'sweeper pass over the restocks’ product marks', async () => {
      await sweep(Date.now() + 20_000, { recover: true });
    });
    const sweptProducts = new Set(
      meter
        .requests()
        .flatMap((r) => r.writes.filter((w) => itemType(w.sk) === 'ProductItem'))
        .map((w) => w.pk),
    ).size;
    await measure('sweeper-idle', 'sweeper pass, nothing due', async () => {
      await sweep(Date.now() + 20_000);
    });

    // The largest ProductItem: its name, id, lots and a drain's owner at their longest. The
    // reserve holds every lot's units, so the order waits until the restock measured.
    await api.restockLots(WORST.product_id, WORST_LOTS);
    await api.order([[WORST.product_id, 1]], 'backordered');
    await measure('worst-restock-fills', 'largest product: restock filling 1 waiting order', async () => {
      await api.restock([[WORST.product_id, 2]], WORST_RESTOCK_KEY);
    });
    await measure('worst-order-1-line', 'largest product: in-stock order, 1 line', () =>
      api.order([[WORST.product_id, 1]], 'fulfilled'),
    );
    meter.uninstall();
    counter.uninstall();

    return {
      operations,
      fills: {
        orders: options.fillOrders,
        transactions: fillTransactions.length,
        fillsPerTransaction: Math.max(...fillTransactions.map((r) => r.writes.filter(isWait).length)),
        batch: summarize('fill-batch', 'one fill transaction (the largest batch)', [largest(fillTransactions)], 0),
      },
      fillsWithLots: {
        lots: FILL_LOTS,
        transactions: lotFillTransactions.length,
        fillsPerTransaction: Math.max(...lotFillTransactions.map((r) => r.writes.filter(isWait).length)),
        batch: summarize(
          'fill-batch-lots',
          `one fill transaction across ${FILL_LOTS} lots (the largest batch)`,
          [largest(lotFillTransactions)],
          0,
        ),
      },
      sweptProducts,
      violations: violations(await readState()),
    };
  } finally {
    reader.destroy();
    await service.stop();
  }
}

/** The API calls the measurement makes, each checked: a figure from a failed call would mean nothing. */
function requests(service: BenchService) {
  const expect = (res: { status: number; body: any }, status: number, what: string) => {
    if (res.status !== status) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    catalog: async (products: unknown[]) =>
      expect(await service.call('POST', '/inventory/init_catalog', products), 201, 'init_catalog'),
    order: async (lines: Array<[number, number]>, status: 'fulfilled' | 'backordered') => {
      const body = expect(
        await service.call('POST', '/inventory/process_order', {
          requested: lines.map(([product_id, quantity]) => ({ product_id, quantity })),
        }),
        201,
        'process_order',
      );
      if (body.status !== status) throw new Error(`an order expected ${status} is ${body.status}`);
    },
    restockLots: async (productId: number, lots: Array<{ lot: string; quantity: number; expires_at: string }>) =>
      expect(
        await service.call(
          'POST',
          '/inventory/process_restock',
          lots.map((l) => ({ product_id: productId, ...l })),
        ),
        200,
        'process_restock',
      ),
    restock: async (lines: Array<[number, number]>, key?: string) =>
      expect(
        await service.call(
          'POST',
          '/inventory/process_restock',
          lines.map(([product_id, quantity]) => ({ product_id, quantity })),
          key ? { 'Idempotency-Key': key } : {},
        ),
        200,
        'process_restock',
      ),
  };
}

const isWait = (w: { sk: string }) => w.sk.startsWith('WAIT#');
const largest = (list: MeteredRequest[]) => list.reduce((a, b) => (b.writes.length > a.writes.length ? b : a));

const ITEM_TYPES: Array<[(sk: string) => boolean, string]> = [
  [(sk) => sk === 'PRODUCT', 'ProductItem'],
  [(sk) => sk.startsWith('WAIT#'), 'WaitItem'],
  [(sk) => sk === 'ORDER', 'OrderItem'],
  [(sk) => sk.startsWith('SHIP#'), 'ShipmentItem'],
  [(sk) => sk.startsWith('PARTS#'), 'PartsRef'],
  [(sk) => sk.startsWith('PART#'), 'PartItem'],
  [(sk) => sk === 'RESTOCK', 'RestockItem'],
  [(sk) => sk.startsWith('REF#'), 'RestockRef'],
];
const itemType = (sk: string) => ITEM_TYPES.find(([test]) => test(sk))?.[1] ?? sk;

/** One operation's requests as figures: items by type, write units where they land. */
export function summarize(
  key: string,
  name: string,
  requests: MeteredRequest[],
  localReportedCapacity: number,
): OperationFigures {
  const byCommand: Record<string, number> = {};
  const items = new Map<string, ItemFigures>();
  const partitions = new Map<string, { wcu: number; itemWcu: number; itemUpdates: number; itemMaxBytes: number }>();
  const indexPartitions = new Map<string, number>();
  let wcu = 0;
  let indexWcu = 0;
  let rcu = 0;
  for (const r of requests) {
    byCommand[r.command] = (byCommand[r.command] ?? 0) + 1;
    rcu += r.reads.reduce((n, read) => n + read.rcu, 0);
    for (const w of r.writes) {
      const type = itemType(w.sk);
      const id = `${type} ${w.action} ${r.transactional}`;
      const figures = items.get(id) ?? {
        item: type,
        action: w.action,
        transactional: r.transactional,
        writes: 0,
        maxBytes: 0,
        wcu: 0,
      };
      figures.writes++;
      figures.maxBytes = Math.max(figures.maxBytes, w.bytes);
      figures.wcu += w.wcu;
      items.set(id, figures);
      wcu += w.wcu;
      if (w.pk.startsWith('PRODUCT#')) {
        const p = partitions.get(w.pk) ?? { wcu: 0, itemWcu: 0, itemUpdates: 0, itemMaxBytes: 0 };
        p.wcu += w.wcu;
        if (type === 'ProductItem') {
          p.itemWcu += w.wcu;
          p.itemUpdates++;
          p.itemMaxBytes = Math.max(p.itemMaxBytes, w.bytes);
        }
        partitions.set(w.pk, p);
      }
      for (const entry of w.index) {
        indexWcu += entry.wcu;
        const at = `${entry.index}:${entry.partition}`;
        indexPartitions.set(at, (indexPartitions.get(at) ?? 0) + entry.wcu);
      }
    }
  }
  const hottest = [...partitions].sort((a, b) => b[1].wcu - a[1].wcu)[0];
  const hottestIndex = [...indexPartitions].sort((a, b) => b[1] - a[1])[0];
  return {
    key,
    name,
    requests: byCommand,
    failedRequests: requests.filter((r) => r.failed).length,
    items: [...items.values()],
    itemWrites: [...items.values()].reduce((n, i) => n + i.writes, 0),
    wcu,
    indexWcu,
    ...(hottest ? { product: { partition: hottest[0], ...hottest[1] } } : {}),
    ...(hottestIndex ? { hottestIndexPartition: { partition: hottestIndex[0], wcu: hottestIndex[1] } } : {}),
    rcu: round(rcu, 1),
    localReportedCapacity,
  };
}
