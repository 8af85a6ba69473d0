/**
 * The size matrix: product ids of 1, 4, 8, 13 and 16 digits x requests of 1, 50 and 100 lines x
 * every path (all in stock, partly in stock, all waiting, filled by a restock, replayed, cut
 * short between transactions), each on its own table of DynamoDB Local. Never a 5xx, always the
 * SPEC answer, and the invariants of the whole table after each.
 *
 * DynamoDB's limits (4 KB expressions, 100 actions per transaction, 400 KB items) are enforced
 * by DynamoDB Local too, so a layout whose writes grow with id length or line count fails here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../functions/commons/logger.js';
import { packUnits } from '../../functions/domain/packing.js';
import { get, post, runSweeper } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { dieAfterTransactions } from '../support/faulty-client.js';
import { readState, violations } from '../support/invariants.js';
import { installRequestCounter } from '../support/request-counter.js';

const DIGITS = [1, 4, 8, 13, 16] as const;
const LINES = [1, 50, 100] as const;

type Line = { product_id: number; quantity: number };

/** Distinct product ids of exactly `digits` digits (1 digit: only ten exist), the largest first. */
function idsOf(digits: number, count: number): number[] {
  if (digits === 1) return Array.from({ length: Math.min(count, 10) }, (_, i) => 9 - i);
  const top = digits === 16 ? Number.MAX_SAFE_INTEGER : 10 ** digits - 1;
  return Array.from({ length: count }, (_, i) => top - i * 7);
}

/** A request of `lines` lines over the ids (repeating them when there are fewer), and its products. */
function scenario(digits: number, lines: number) {
  const ids = idsOf(digits, lines);
  const requested: Line[] = Array.from({ length: lines }, (_, i) => ({
    product_id: ids[i % ids.length]!,
    quantity: 1 + (i % 3),
  }));
  const totals = new Map<number, number>();
  for (const l of requested) totals.set(l.product_id, (totals.get(l.product_id) ?? 0) + l.quantity);
  const masses = new Map(ids.map((id, j) => [id, 100 + ((j * 389) % 1500)]));
  return { ids, requested, totals, masses };
}

type Scenario = ReturnType<typeof scenario>;

const byId = (a: Line, b: Line) => a.product_id - b.product_id;
const linesOf = (m: Map<number, number>): Line[] =>
  [...m]
    .filter(([, q]) => q > 0)
    .map(([product_id, quantity]) => ({ product_id, quantity }))
    .sort(byId);

async function setUp(s: Scenario, stock: (id: number, total: number) => number): Promise<void> {
  const catalog = await post(
    '/inventory/init_catalog',
    s.ids.map((product_id) => ({ product_id, product_name: `P${product_id}`, mass_g: s.masses.get(product_id) })),
  );
  expect(catalog.status).toBe(201);
  const restock = linesOf(new Map(s.ids.map((id) => [id, stock(id, s.totals.get(id) ?? 0)])));
  if (restock.length > 0) expect((await post('/inventory/process_restock', restock)).status).toBe(200);
}

/** Rules 1 and 2 for the packages one request shipped to one order: one packing, minimal, under 1800 g. */
function expectOnePacking(shipments: any[], s: Scenario): void {
  expect(new Set(shipments.map((p) => p.shipment_id.split('-')[0])).size).toBe(1);
  const units = new Map<number, number>();
  for (const p of shipments) {
    const lines = p.shipped as Line[];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.reduce((m, l) => m + l.quantity * s.masses.get(l.product_id)!, 0)).toBe(p.mass_g);
    expect(p.mass_g).toBeLessThanOrEqual(1800);
    for (const l of lines) units.set(l.product_id, (units.get(l.product_id) ?? 0) + l.quantity);
  }
  const packing = packUnits(linesOf(units).map((l) => ({ ...l, mass_g: s.masses.get(l.product_id)! })));
  expect(shipments).toHaveLength(packing.packageCount);
}

async function expectInvariants(): Promise<void> {
  expect(violations(await readState())).toEqual([]);
}

describe.each(DIGITS)('product ids of %i digits', (digits) => {
  describe.each(LINES)('%i lines', (lines) => {
    let orderNo = 0;
    const orderId = () => `size-${digits}-${lines}-${++orderNo}`;

    it('all in stock: ships everything at once, in one transaction when it fits', async () => {
      await createTestTable('size');
      const s = scenario(digits, lines);
      await setUp(s, (_, total) => total);
      const counter = installRequestCounter();
      const { result: res, counts } = await counter.measure(() =>
        post('/inventory/process_order', { order_id: orderId(), requested: s.requested }),
      );
      counter.uninstall();
      expect(res.status).toBe(201);
      const transactions = counts.requests.filter((r) => r.command === 'TransactWriteItems');
      // Order + one update per product + the shipment fit one transaction up to 98 products;
      // beyond, the order, its parts of 49 lines, and the packing.
      expect(transactions).toHaveLength(s.totals.size <= 98 ? 1 : 1 + Math.ceil(s.totals.size / 49) + 1);
      for (const t of transactions) expect(t.items).toBeLessThanOrEqual(100);
      expect(res.body).toMatchObject({ status: 'fulfilled', shipped: linesOf(s.totals), backordered: [] });
      expectOnePacking(res.body.shipments, s);
      expect((await get(`/inventory/orders/${res.body.order_id}`)).body).toEqual(res.body);
      await expectInvariants();
    });

    it('partly in stock: ships what is on hand, the rest waits', async () => {
      await createTestTable('size');
      const s = scenario(digits, lines);
      const stock = (id: number, total: number) => (s.ids.indexOf(id) % 2 === 0 ? total : Math.floor(total / 2));
      await setUp(s, stock);
      const res = await post('/inventory/process_order', { order_id: orderId(), requested: s.requested });
      expect(res.status).toBe(201);
      const shipped = new Map([...s.totals].map(([id, total]) => [id, stock(id, total)]));
      const waiting = new Map([...s.totals].map(([id, total]) => [id, total - stock(id, total)]));
      expect(res.body).toMatchObject({
        status: linesOf(waiting).length > 0 ? 'partially_shipped' : 'fulfilled',
        shipped: linesOf(shipped),
        backordered: linesOf(waiting),
      });
      expectOnePacking(res.body.shipments, s);
      await expectInvariants();
    });

    it('all waiting, then filled by a restock, then replayed', async () => {
      await createTestTable('size');
      const s = scenario(digits, lines);
      await setUp(s, () => 0);
      const body = { order_id: orderId(), requested: s.requested };
      const created = await post('/inventory/process_order', body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'backordered', shipped: [], backordered: linesOf(s.totals) });
      expect(created.body.shipments).toEqual([]);
      await expectInvariants();

      const key = { 'idempotency-key': `fill-${body.order_id}` };
      const restock = linesOf(s.totals);
      const filled = await post('/inventory/process_restock', restock, key);
      expect(filled.status).toBe(200);
      expect(filled.body).toMatchObject({ restocked: restock, draining: false });
      expectOnePacking(filled.body.shipments, s);
      const view = await get(`/inventory/orders/${body.order_id}`);
      expect(view.body).toMatchObject({ status: 'fulfilled', shipped: linesOf(s.totals), backordered: [] });
      await expectInvariants();

      // Replays: the same answers, nothing changed.
      const replayed = await post('/inventory/process_order', body);
      expect(replayed.status).toBe(200);
      expect(replayed.body).toEqual(view.body);
      const again = await post('/inventory/process_restock', restock, key);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(filled.body);
      await expectInvariants();
    });

    describe('cut short between transactions', () => {
      const lease = process.env.RESTOCK_LEASE_MS;
      // The injected deaths are logged as failed requests; this test expects them.
      beforeEach(() => logger.setLogLevel('SILENT'));
      afterEach(() => {
        logger.setLogLevel('ERROR');
        if (lease === undefined) delete process.env.RESTOCK_LEASE_MS;
        else process.env.RESTOCK_LEASE_MS = lease;
      });

      it('the retry or the sweeper finishes what a dead request left', async () => {
        await createTestTable('size');
        const s = scenario(digits, lines);
        await setUp(s, () => 0);
        const body = { order_id: orderId(), requested: s.requested };

        // The order's creation dies after its first transaction; the client's retry finishes it.
        const restoreOrder = dieAfterTransactions(1);
        try {
          expect((await post('/inventory/process_order', body)).status).toBe(500);
        } finally {
          restoreOrder();
        }
        const retried = await post('/inventory/process_order', body);
        expect(retried.status).toBe(200);
        expect(retried.body).toMatchObject({ status: 'backordered', backordered: linesOf(s.totals) });
        await expectInvariants();

        // The restock dies after its stock and its first fill; the replay (lease over) finishes it.
        process.env.RESTOCK_LEASE_MS = '1';
        const key = { 'idempotency-key': `cut-${body.order_id}` };
        const restock = linesOf(s.totals);
        const restoreRestock = dieAfterTransactions(2);
        try {
          expect((await post('/inventory/process_restock', restock, key)).status).toBe(500);
        } finally {
          restoreRestock();
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
        const replayed = await post('/inventory/process_restock', restock, key);
        expect(replayed.status).toBe(200);
        expectOnePacking(replayed.body.shipments, s);
        await runSweeper();
        const view = await get(`/inventory/orders/${body.order_id}`);
        expect(view.body).toMatchObject({ status: 'fulfilled', shipped: linesOf(s.totals), backordered: [] });
        expect(view.body.shipments).toEqual(replayed.body.shipments);
        await expectInvariants();
      });
    });
  });
});
