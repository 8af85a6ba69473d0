/**
 * DynamoDB round trips per API call (issue 5, item 3), counted with SDK middleware on DynamoDB
 * Local: an in-stock order on a warm function is one TransactWriteItems and nothing else; a cold
 * one reads the products once first; reads are Queries (and a BatchGet), and nothing ever scans.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../support/dynamodb.js';
import { catalog, get, post, runSweeper, uniqueOrderId } from '../support/api.js';
import { installRequestCounter, type RequestCounter } from '../support/request-counter.js';
import { getProducts } from '../../functions/store/catalog-store.js';
import { forgetCatalog, rememberProducts } from '../../functions/use-cases/catalog-cache.js';
import { forgetReplays } from '../../functions/use-cases/replay-memory.js';
import { CATALOG_INDEX } from '../../functions/store/table-definition.js';

let counter: RequestCounter;
let a: number, b: number, c: number;

beforeAll(async () => {
  await createTestTable('round-trips');
  counter = installRequestCounter();
  [a, b, c] = (await catalog([700, 300, 120])) as [number, number, number];
  const res = await post('/inventory/process_restock', [
    { product_id: a, quantity: 50 },
    { product_id: b, quantity: 50 },
    { product_id: c, quantity: 50 },
  ]);
  expect(res.status).toBe(200);
});

afterAll(() => counter.uninstall());

const order = (lines: Array<[number, number]>, orderId = uniqueOrderId('rt')) =>
  post('/inventory/process_order', {
    order_id: orderId,
    requested: lines.map(([product_id, quantity]) => ({ product_id, quantity })),
  });

describe('round trips per API call', () => {
  it('a cold in-stock order: one BatchGetItem, then one TransactWriteItems', async () => {
    forgetCatalog();
    const { result, counts } = await counter.measure(() =>
      order([
        [a, 2],
        [b, 1],
      ]),
    );
    expect(result.status).toBe(201);
    expect(result.body.status).toBe('fulfilled');
    expect(counts.byCommand).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
    expect(counts.capacity).toBeGreaterThan(0);
  });

  it('a warm in-stock order: exactly one TransactWriteItems and nothing else', async () => {
    // Warm: the catalog data of a and c is cached by the previous read (or by this first order).
    await order([
      [a, 1],
      [c, 1],
    ]);
    const { result, counts } = await counter.measure(() =>
      order([
        [a, 1],
        [c, 3],
      ]),
    );
    expect(result.status).toBe(201);
    expect(result.body.status).toBe('fulfilled');
    expect(counts.byCommand).toEqual({ TransactWriteItems: 1 });
    expect(counts.total).toBe(1);
  });

  it('a warm in-stock order taking from lots (several per product): one TransactWriteItems, also across lots', async () => {
    const [f, g] = (await catalog([300, 450])) as [number, number];
    const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const restocked = await post('/inventory/process_restock', [
      { product_id: f, quantity: 5, lot: 'F-1', expires_at: inDays(2) },
      { product_id: f, quantity: 5, lot: 'F-2', expires_at: inDays(3) },
      { product_id: f, quantity: 5 },
      { product_id: g, quantity: 4, lot: 'G-1', expires_at: inDays(1) },
      { product_id: g, quantity: 4, lot: 'G-2' },
    ]);
    expect(restocked.status).toBe(200);
    // Warm: this function has now seen f and g with their lots.
    await order([
      [f, 1],
      [g, 1],
    ]);
    // Units per product and lot over all the order's packages, in the order the lots were taken.
    const lotsShipped = (body: {
      shipments: Array<{ shipped: Array<{ product_id: number; lots: Array<{ lot: string; quantity: number }> }> }>;
    }) => {
      const byProduct: Record<number, Array<{ lot: string; quantity: number }>> = {};
      for (const line of body.shipments.flatMap((s) => s.shipped)) {
        for (const { lot, quantity } of line.lots) {
          byProduct[line.product_id] ??= [];
          const lots = byProduct[line.product_id]!;
          const seen = lots.find((l) => l.lot === lot);
          if (seen) seen.quantity += quantity;
          else lots.push({ lot, quantity });
        }
      }
      return byProduct;
    };
    // One lot per product, then lines that empty the first lot and go on into the next.
    const expected = [
      { [f]: [{ lot: 'F-1', quantity: 1 }], [g]: [{ lot: 'G-1', quantity: 1 }] },
      {
        [f]: [
          { lot: 'F-1', quantity: 3 },
          { lot: 'F-2', quantity: 1 },
        ],
        [g]: [
          { lot: 'G-1', quantity: 2 },
          { lot: 'G-2', quantity: 1 },
        ],
      },
    ];
    for (const [i, lines] of [
      [
        [f, 1],
        [g, 1],
      ],
      [
        [f, 4],
        [g, 3],
      ],
    ].entries() as Iterable<[number, Array<[number, number]>]>) {
      const { result, counts } = await counter.measure(() => order(lines));
      expect(result.body.status).toBe('fulfilled');
      expect(lotsShipped(result.body)).toEqual(expected[i]);
      expect(counts.byCommand).toEqual({ TransactWriteItems: 1 });
    }
  });

  it('a warm order that must wait (nothing on hand, or older orders wait): exactly one TransactWriteItems', async () => {
    const [d] = (await catalog([250])) as [number];
    // The first order reads the product (this function never saw it) and waits: nothing on hand.
    expect((await order([[d, 4]])).body.status).toBe('backordered');
    for (const lines of [
      [[d, 1]],
      [
        [d, 2],
        [a, 1],
      ],
    ] as Array<Array<[number, number]>>) {
      const { result, counts } = await counter.measure(() => order(lines));
      expect(result.status).toBe(201);
      expect(result.body.backordered).toContainEqual({ product_id: d, quantity: lines[0]![1] });
      expect(counts.byCommand).toEqual({ TransactWriteItems: 1 });
    }
    // A restock fills them all; the next order on d finds stock and nobody waiting: still one.
    await post('/inventory/process_restock', [{ product_id: d, quantity: 10 }]);
    const { result, counts } = await counter.measure(() => order([[d, 1]]));
    expect(result.body.status).toBe('fulfilled');
    expect(counts.byCommand).toEqual({ TransactWriteItems: 1 });
  });

  it('a replayed order on the warm function that created it: one Query, no write', async () => {
    const orderId = uniqueOrderId('rt');
    const lines: Array<[number, number]> = [
      [a, 1],
      [b, 2],
    ];
    const first = await order(lines, orderId);
    const { result, counts } = await counter.measure(() => order(lines, orderId));
    expect(result.status).toBe(200);
    expect(result.body).toEqual(first.body);
    expect(counts.byCommand).toEqual({ Query: 1 });
    // Other lines under the same id: still refused from that one read.
    const other = await counter.measure(() => order([[a, 2]], orderId));
    expect(other.result.status).toBe(409);
    expect(other.counts.byCommand).toEqual({ Query: 1 });
    // A function that never saw the order tries the write first, which finds it.
    forgetReplays();
    const cold = await counter.measure(() => order(lines, orderId));
    expect(cold.result.status).toBe(200);
    expect(cold.counts.byCommand).toEqual({ TransactWriteItems: 1, Query: 1 });
  });

  it('a replayed restock on the warm function that answered it: no DynamoDB call', async () => {
    const key = uniqueOrderId('key');
    const body = [{ product_id: c, quantity: 2 }];
    const first = await post('/inventory/process_restock', body, { 'Idempotency-Key': key });
    expect(first.status).toBe(200);
    const { result, counts } = await counter.measure(() =>
      post('/inventory/process_restock', body, { 'Idempotency-Key': key }),
    );
    expect(result.body).toEqual(first.body);
    expect(counts.total).toBe(0);
    const other = await counter.measure(() =>
      post('/inventory/process_restock', [{ product_id: c, quantity: 3 }], { 'Idempotency-Key': key }),
    );
    expect(other.result.status).toBe(409);
    expect(other.counts.total).toBe(0);
    // Another function reads the record and its shipments instead.
    forgetReplays();
    const cold = await counter.measure(() => post('/inventory/process_restock', body, { 'Idempotency-Key': key }));
    expect(cold.result.body).toEqual(first.body);
    expect(cold.counts.total).toBeGreaterThan(0);
  });

  it('a warm restock where nobody waits: one TransactWriteItems; an order waiting after all is still filled', async () => {
    const [e] = (await catalog([400])) as [number];
    // The first restock learns that nobody waits for e (the drain's claim reads it).
    await post('/inventory/process_restock', [{ product_id: e, quantity: 1 }]);
    const { result, counts } = await counter.measure(() =>
      post('/inventory/process_restock', [{ product_id: e, quantity: 2 }]),
    );
    expect(result.body).toMatchObject({ shipments: [], draining: false });
    expect(counts.byCommand).toEqual({ TransactWriteItems: 1 });
    // An order now waits, but this function remembers e as nobody waiting (another function took
    // the order): the restock's guard finds the order, and the drain fills it.
    const waiting = await order([[e, 5]]);
    expect(waiting.body.backordered).toEqual([{ product_id: e, quantity: 2 }]);
    const now = (await getProducts([e])).get(e)!;
    rememberProducts([{ ...now, backordered: 0 }]);
    const filled = await counter.measure(() => post('/inventory/process_restock', [{ product_id: e, quantity: 2 }]));
    expect(filled.result.body.shipments).toMatchObject([{ order_id: waiting.body.order_id }]);
    expect(filled.counts.byCommand.TransactWriteItems).toBeGreaterThanOrEqual(3);
    expect((await get(`/inventory/orders/${waiting.body.order_id}`)).body.status).toBe('fulfilled');
  });

  it('GET order: one Query', async () => {
    const orderId = uniqueOrderId('rt');
    await order([[b, 7]], orderId);
    const { result, counts } = await counter.measure(() => get(`/inventory/orders/${orderId}`));
    expect(result.status).toBe(200);
    expect(result.body.shipments.length).toBeGreaterThan(0);
    expect(counts.byCommand).toEqual({ Query: 1 });
  });

  it('GET products: one Query on the catalog index, then one BatchGetItem', async () => {
    const { result, counts } = await counter.measure(() => get('/inventory/products'));
    expect(result.status).toBe(200);
    expect(counts.byCommand).toEqual({ Query: 1, BatchGetItem: 1 });
    expect(counts.requests.find((r) => r.command === 'Query')?.index).toBe(CATALOG_INDEX.name);
  });

  it('no request is ever a Scan: catalog, orders, backorders, restock, reads, sweeper', async () => {
    const { counts } = await counter.measure(async () => {
      const [d, e] = (await catalog([900, 450])) as [number, number];
      await post('/inventory/init_catalog', [{ product_id: d, product_name: 'renamed', mass_g: 900 }]);
      await post('/inventory/process_restock', [{ product_id: d, quantity: 3 }], {
        'Idempotency-Key': uniqueOrderId('key'),
      });
      const first = uniqueOrderId('rt');
      await order(
        [
          [d, 5],
          [e, 2],
          [a, 1],
        ],
        first,
      );
      await order([[d, 1]]);
      await order(
        [
          [d, 5],
          [e, 2],
          [a, 1],
        ],
        first,
      ); // replay
      await post('/inventory/process_restock', [
        { product_id: d, quantity: 10 },
        { product_id: e, quantity: 10 },
      ]);
      await get(`/inventory/orders/${first}`);
      await get('/inventory/products');
      await runSweeper();
      await get('/health');
    });
    expect(counts.total).toBeGreaterThan(10);
    expect(counts.byCommand.Scan ?? 0).toBe(0);
  });
});
