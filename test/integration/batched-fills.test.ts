/**
 * Batched fills and one drain per product (issue: fast where it matters). A drain commits many
 * waiting orders per transaction with every guard kept; it holds the product's lease, so
 * concurrent restocks wait for it instead of undoing its plans, and no request ships to one
 * order in two rounds (SPEC rule 2).
 */
import { takeHorizon } from '../../functions/domain/lots.js';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, setDocumentClient, tableName } from '../../functions/commons/dynamodb.js';
import { planFills } from '../../functions/domain/allocation.js';
import { orderIdFromKey } from '../../functions/domain/order-id.js';
import { getProducts } from '../../functions/store/catalog-store.js';
import { claimDrain, commitFills, readQueue, releaseDrain } from '../../functions/store/fill-store.js';
import { acquireLeases, releaseLeases } from '../../functions/use-cases/drain-leases.js';
import { makeShipmentEvent } from '../../functions/use-cases/shipments.js';
import { get, post, productIds, productsById, runSweeper, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { beforeTransaction } from '../support/interleave.js';
import { readState, violations } from '../support/invariants.js';
import { installRequestCounter } from '../support/request-counter.js';

let real: DynamoDBDocumentClient;

beforeAll(async () => {
  await createTestTable('batched-fills');
  real = documentClient();
});
afterEach(() => setDocumentClient(real));

async function product(mass: number): Promise<number> {
  const [id] = productIds(1);
  expect((await post('/inventory/init_catalog', [{ product_id: id, product_name: 'P', mass_g: mass }])).status).toBe(
    201,
  );
  return id!;
}

async function waitingOrders(count: number, lines: Array<[number, number]>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const orderId = uniqueOrderId(`w${i}`);
    const res = await post('/inventory/process_order', {
      order_id: orderId,
      requested: lines.map(([product_id, quantity]) => ({ product_id, quantity })),
    });
    expect(res.body.status).toBe('backordered');
    ids.push(orderId);
  }
  return ids;
}

/** Package stems (`shipment_id` without its `-n`) per order in one answer: one per round. */
function roundsPerOrder(shipments: Array<{ order_id: string; shipment_id: string }>): Map<string, number> {
  const stems = new Map<string, Set<string>>();
  for (const s of shipments) {
    const set = stems.get(s.order_id) ?? new Set();
    set.add(s.shipment_id.replace(/-\d+$/, ''));
    stems.set(s.order_id, set);
  }
  return new Map([...stems].map(([order, set]) => [order, set.size]));
}

describe('batched fills', () => {
  it('a restock filling 100 orders that wait for one product commits at least 10 of them per transaction', async () => {
    const a = await product(100);
    const orders = await waitingOrders(100, [[a, 1]]);
    const counter = installRequestCounter();
    try {
      const { result, counts } = await counter.measure(() =>
        post('/inventory/process_restock', [{ product_id: a, quantity: 100 }]),
      );
      expect(result.status).toBe(200);
      expect(result.body.draining).toBe(false);
      expect(new Set(result.body.shipments.map((s: any) => s.order_id))).toEqual(new Set(orders));
      // One transaction puts the stock on hand; the fills take the others.
      const fillTransactions = (counts.byCommand.TransactWriteItems ?? 0) - 1;
      expect(fillTransactions).toBeGreaterThan(0);
      expect(100 / fillTransactions).toBeGreaterThanOrEqual(10);
    } finally {
      counter.uninstall();
    }
    expect((await productsById()).get(a)).toMatchObject({ quantity: 0, backordered: 0 });
    expect(violations(await readState())).toEqual([]);
  });

  it('orders waiting for two products each are batched too, oldest first, with a guard per product', async () => {
    const a = await product(300);
    const b = await product(200);
    const orders = await waitingOrders(60, [
      [a, 2],
      [b, 1],
    ]);
    const counter = installRequestCounter();
    try {
      // Enough for the 50 oldest: the 10 newest keep waiting (rule 4).
      const { result, counts } = await counter.measure(() =>
        post('/inventory/process_restock', [
          { product_id: a, quantity: 100 },
          { product_id: b, quantity: 50 },
        ]),
      );
      expect(result.status).toBe(200);
      expect(new Set(result.body.shipments.map((s: any) => s.order_id))).toEqual(new Set(orders.slice(0, 50)));
      expect(50 / ((counts.byCommand.TransactWriteItems ?? 0) - 1)).toBeGreaterThanOrEqual(10);
    } finally {
      counter.uninstall();
    }
    const status = await Promise.all(orders.map(async (id) => (await get(`/inventory/orders/${id}`)).body.status));
    expect(status).toEqual([...Array(50).fill('fulfilled'), ...Array(10).fill('backordered')]);
    expect(violations(await readState())).toEqual([]);
  });

  it("a batch commits nothing unless its drain holds every product's lease", async () => {
    const a = await product(100);
    const [orderId] = await waitingOrders(1, [[a, 2]]);
    // Stock lands, and its drain is cut short before it starts (the sweeper would fill it).
    process.env.DRAIN_BUDGET_MS = '0';
    try {
      expect((await post('/inventory/process_restock', [{ product_id: a, quantity: 2 }])).body.draining).toBe(true);
    } finally {
      delete process.env.DRAIN_BUDGET_MS;
    }
    const products = await getProducts([a]);
    const horizon = takeHorizon();
    const fills = planFills(products, new Map([[a, await readQueue(a, 2)]]), new Set(), horizon);
    expect(fills).toHaveLength(1);
    const commitAs = async (drainer: string) => {
      const outcomes = [];
      for await (const outcome of commitFills({
        fills: fills.map((fill) => ({
          fill,
          orderId: orderIdFromKey(fill.orderKey),
          shipment: makeShipmentEvent(drainer, new Map([[a, 2]]), products)!,
        })),
        products,
        drainer,
        requestId: drainer,
        partsDueAt: new Date().toISOString(),
        horizon,
      })) {
        outcomes.push(outcome);
      }
      return outcomes;
    };
    // Another drain holds the lease: this one's plan may be stale, so nothing commits.
    expect(await claimDrain(a, 'holder', Date.now() + 60_000)).toMatchObject({ kind: 'claimed' });
    expect(await commitAs('intruder')).toEqual([{ committed: [], stale: true }]);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 2, backordered: 2 });
    expect(await claimDrain(a, 'intruder', Date.now() + 60_000)).toMatchObject({ kind: 'held' });
    const filled = await commitAs('holder');
    expect(filled.map((o) => [o.committed.map((c) => c.kind), o.stale])).toEqual([[['filled'], false]]);
    expect(await releaseDrain(a, 'holder', { ifSettled: true })).toMatchObject({ kind: 'released' });
    expect((await get(`/inventory/orders/${orderId}`)).body.status).toBe('fulfilled');
  });
});

describe('one drain per product', () => {
  it('a restock whose product another drain holds waits and ships its own units; no request ships to an order twice (rule 2)', async () => {
    // 283 g: 6 units a package. 7 + 8 units in one round would take 4 packages where 3 suffice.
    const a = await product(283);
    const [x] = await waitingOrders(1, [[a, 15]]);
    let second: Promise<any> | undefined;
    // The first restock's drain is about to commit its fill of 7 when a second restock of 8 lands.
    const shipsPackages = (items: any[]) => items.some((i) => String(i.Put?.Item?.sk ?? '').startsWith('SHIP#'));
    beforeTransaction(shipsPackages, async () => {
      second = post('/inventory/process_restock', [{ product_id: a, quantity: 8 }]);
      while ((await real.send(getProduct(a))).Item?.restocked !== 15) await new Promise((r) => setTimeout(r, 5));
    });
    const first = await post('/inventory/process_restock', [{ product_id: a, quantity: 7 }]);
    const later = await second!;
    expect([first.status, later.status]).toEqual([200, 200]);
    expect([first.body.draining, later.body.draining]).toEqual([false, false]);
    // Each restock shipped its own units to x, in one round of the fewest packages.
    expect(roundsPerOrder(first.body.shipments)).toEqual(new Map([[x, 1]]));
    expect(roundsPerOrder(later.body.shipments)).toEqual(new Map([[x, 1]]));
    expect([first.body.shipments.length, later.body.shipments.length]).toEqual([2, 2]);
    expect((await get(`/inventory/orders/${x}`)).body.status).toBe('fulfilled');
    expect(violations(await readState())).toEqual([]);
  });

  it('leases are taken in ascending product id, the lower ones kept while a higher one is awaited', async () => {
    const p = await product(100);
    const q = await product(100);
    await waitingOrders(1, [
      [p, 1],
      [q, 1],
    ]);
    // Stock lands on both, and the drain is cut short: both products have work and no drain.
    process.env.DRAIN_BUDGET_MS = '0';
    try {
      await post('/inventory/process_restock', [
        { product_id: q, quantity: 1 },
        { product_id: p, quantity: 1 },
      ]);
    } finally {
      delete process.env.DRAIN_BUDGET_MS;
    }
    expect(await claimDrain(q, 'other', Date.now() + 60_000)).toMatchObject({ kind: 'claimed' });
    const drainerOf = async (id: number) => (await real.send(getProduct(id))).Item?.drainer;
    const acquiring = acquireLeases([q, p], 'mine', Date.now() + 60_000, { deadline: Date.now() + 10_000 });
    // p is below q: it is held while q is awaited, so no drain that holds q can wait for p.
    await new Promise((r) => setTimeout(r, 150));
    expect([await drainerOf(p), await drainerOf(q)]).toEqual(['mine', 'other']);
    await releaseDrain(q, 'other');
    const leases = await acquiring;
    expect([...leases.held.keys()].sort()).toEqual([p, q].sort());
    expect(leases.missed).toEqual([]);
    await releaseLeases([p, q], 'mine');
    await runSweeper();
    expect(violations(await readState())).toEqual([]);
  });

  it('restocks of overlapping products in opposite orders all finish: drains never wait for each other', async () => {
    const ids = [await product(100), await product(100), await product(100)];
    // Every product has orders waiting, so every restock needs the leases of all it names.
    await waitingOrders(12, ids.map((id) => [id, 2]) as Array<[number, number]>);
    const lines = (order: number[]) => order.map((product_id) => ({ product_id, quantity: 2 }));
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post('/inventory/process_restock', lines(i % 2 === 0 ? ids : [...ids].reverse())),
      ),
    );
    expect(answers.map((r) => [r.status, r.body.draining])).toEqual(Array(12).fill([200, false]));
    expect([...(await productsById()).values()].filter((p) => ids.includes(p.product_id))).toEqual(
      ids.map(() => expect.objectContaining({ quantity: 0, backordered: 0 })),
    );
    for (const answer of answers)
      for (const rounds of roundsPerOrder(answer.body.shipments).values()) expect(rounds).toBe(1);
    expect(violations(await readState())).toEqual([]);
  });
});

/** A strongly consistent read of the product item, past the handlers. */
function getProduct(id: number) {
  return new GetCommand({ TableName: tableName(), Key: { pk: `PRODUCT#${id}`, sk: 'PRODUCT' }, ConsistentRead: true });
}
