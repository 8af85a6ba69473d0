/**
 * Lots and expiry (SPEC v2 "Lots and expiry", rules 5, 9 and 10) through the API, on DynamoDB
 * Local: restocks name lots with their expiry, every path that takes units takes the usable lot
 * that expires first, packages list their lots, and an expired unit is never shipped.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_LOTS_ON_HAND, TAKE_HORIZON_MS } from '../../functions/domain/lots.js';
import { getProducts } from '../../functions/store/catalog-store.js';
import { rememberProducts } from '../../functions/use-cases/catalog-cache.js';
import { forgetReplays } from '../../functions/use-cases/replay-memory.js';
import { catalog, get, post, productsById, runSweeper, sendRestockEvent, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { beforeCommand, beforeTransaction } from '../support/interleave.js';
import { readState, violations } from '../support/invariants.js';
import { followStream, sequenceLedger } from '../support/ledger.js';

beforeAll(async () => {
  await createTestTable('lots', { stream: true });
});

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Units per lot over every package of the shipments, for one product. */
function lotsShipped(shipments: any[], productId: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of shipments) {
    for (const line of s.shipped.filter((l: any) => l.product_id === productId)) {
      expect(line.lots.reduce((n: number, t: any) => n + t.quantity, 0)).toBe(line.quantity);
      for (const t of line.lots) out[t.lot ?? '(unnamed)'] = (out[t.lot ?? '(unnamed)'] ?? 0) + t.quantity;
    }
  }
  return out;
}

async function productView(id: number) {
  return (await productsById()).get(id);
}

/** Runs `body` on a fake clock (Date only): lots expire when the test says time has passed. */
async function onFakeClock(body: () => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  try {
    await body();
  } finally {
    vi.useRealTimers();
  }
}

/** Runs `body` with the (fake) clock at `at`, then puts the clock back where it was. */
async function atTime(at: number, body: () => Promise<void>): Promise<void> {
  const now = Date.now();
  vi.setSystemTime(at);
  try {
    await body();
  } finally {
    vi.setSystemTime(now);
  }
}

/** A new product (of `mass` grams) with 3 units in lot `lot`, which expires in 10 minutes. */
async function threeUnitsExpiring(lot: string, mass: number): Promise<{ p: number; expiresAt: string }> {
  const [p] = (await catalog([mass])) as [number];
  const expiresAt = new Date(Date.now() + 600_000).toISOString();
  await post('/inventory/process_restock', [{ product_id: p, quantity: 3, lot, expires_at: expiresAt }]);
  return { p, expiresAt };
}

/**
 * Every unit of the expired lot was written off (reason `expired`), in write-offs of these sizes:
 * nothing on hand, and restocked = on hand + shipped + written off for the product and the lot,
 * with the ledger's movements adding up to what is on hand.
 */
async function expectAllWrittenOff(p: number, lot: string, writeOffs: number[]): Promise<void> {
  const restocked = writeOffs.reduce((n, q) => n + q, 0);
  const view = await productView(p);
  expect(view.lots).toEqual([]);
  expect(view).toMatchObject({ quantity: 0, written_off: restocked });
  await sequenceLedger();
  await followStream();
  expect((await get(`/inventory/products/${p}/lots/${lot}`)).body).toMatchObject({
    restocked,
    on_hand: 0,
    shipped: 0,
    written_off: restocked,
  });
  const moves = (await get(`/inventory/products/${p}/movements`)).body.movements;
  expect(moves.filter((m: any) => m.kind === 'write_off').map((m: any) => [m.lot, m.quantity, m.ref.reason])).toEqual(
    writeOffs.map((q) => [lot, -q, 'expired']),
  );
  expect(moves.reduce((n: number, m: any) => n + m.quantity, 0)).toBe(0);
  expect(violations(await readState())).toEqual([]);
}

describe('lots', () => {
  it('restocks lots, shows them soonest expiry first, and ships the lot that expires first (rule 9)', async () => {
    const [p] = (await catalog([300])) as [number];
    const [soon, later] = [inHours(24), inHours(48)];
    const restocked = await post('/inventory/process_restock', [
      { product_id: p, quantity: 5, lot: 'PLT-B', expires_at: later },
      { product_id: p, quantity: 3, lot: 'PLT-A', expires_at: soon },
      { product_id: p, quantity: 2 },
    ]);
    expect(restocked.status).toBe(200);
    expect(restocked.body.restocked).toEqual([
      { product_id: p, quantity: 2, lot: null },
      { product_id: p, quantity: 3, lot: 'PLT-A' },
      { product_id: p, quantity: 5, lot: 'PLT-B' },
    ]);
    expect((await productView(p)).lots).toEqual([
      { lot: 'PLT-A', quantity: 3, expires_at: soon, expired: false },
      { lot: 'PLT-B', quantity: 5, expires_at: later, expired: false },
      { lot: null, quantity: 2, expires_at: null, expired: false },
    ]);

    // 7 units of 300 g: two packages; the 3 of PLT-A and 4 of PLT-B, none of the unnamed lot.
    const order = await post('/inventory/process_order', {
      order_id: uniqueOrderId(),
      requested: [{ product_id: p, quantity: 7 }],
    });
    expect(order.body.status).toBe('fulfilled');
    expect(lotsShipped(order.body.shipments, p)).toEqual({ 'PLT-A': 3, 'PLT-B': 4 });
    // Deals lots to packages in order: the first package holds the lot that expires first.
    expect(order.body.shipments[0].shipped[0].lots[0]).toEqual({ lot: 'PLT-A', quantity: 3 });
    // A view read back shows the same lots per package.
    const read = await get(`/inventory/orders/${encodeURIComponent(order.body.order_id)}`);
    expect(read.body.shipments).toEqual(order.body.shipments);
    expect((await productView(p)).lots).toEqual([
      { lot: 'PLT-B', quantity: 1, expires_at: later, expired: false },
      { lot: null, quantity: 2, expires_at: null, expired: false },
    ]);

    // One movement per lot, in FEFO order (listed from the stream by the sequencer).
    await sequenceLedger();
    const moves = (await get(`/inventory/products/${p}/movements`)).body.movements.filter(
      (m: any) => m.kind === 'shipment',
    );
    expect(moves.map((m: any) => [m.lot, m.quantity])).toEqual([
      ['PLT-A', -3],
      ['PLT-B', -4],
    ]);
    expect(violations(await readState())).toEqual([]);
  });

  it("keeps a lot's expiry as its first restock fixed it; refuses another one, an expired lot, and changes nothing", async () => {
    const [p] = (await catalog([100])) as [number];
    const expiry = inHours(72);
    const first = await post('/inventory/process_restock', [
      { product_id: p, quantity: 4, lot: 'RBC-1', expires_at: expiry },
    ]);
    expect(first.status).toBe(200);
    // The same lot again without expires_at keeps its expiry; with the same one it is accepted too.
    expect((await post('/inventory/process_restock', [{ product_id: p, quantity: 1, lot: 'RBC-1' }])).status).toBe(200);
    expect(
      (await post('/inventory/process_restock', [{ product_id: p, quantity: 1, lot: 'RBC-1', expires_at: expiry }]))
        .status,
    ).toBe(200);
    const before = await productView(p);
    expect(before.lots).toEqual([{ lot: 'RBC-1', quantity: 6, expires_at: expiry, expired: false }]);

    const other = await post('/inventory/process_restock', [
      { product_id: p, quantity: 1 },
      { product_id: p, quantity: 1, lot: 'RBC-1', expires_at: inHours(96) },
    ]);
    expect(other.status).toBe(422);
    expect(other.body.errors).toEqual([
      { path: '[1].expires_at', message: `lot RBC-1 of product ${p} expires at ${expiry}, fixed by its first restock` },
    ]);
    const expired = await post('/inventory/process_restock', [
      { product_id: p, quantity: 1, lot: 'OLD', expires_at: inHours(-1) },
    ]);
    expect(expired.status).toBe(422);
    expect(expired.body.errors[0].path).toBe('[0].lot');
    const noLot = await post('/inventory/process_restock', [{ product_id: p, quantity: 1, expires_at: inHours(1) }]);
    expect(noLot.status).toBe(422);
    // Nothing changed, not even the unnamed lot's line of the refused restock.
    expect(await productView(p)).toEqual(before);
    expect(violations(await readState())).toEqual([]);
  });

  it('a lot first restocked by a racing request keeps that expiry: the slower restock is refused whole (422)', async () => {
    const [p] = (await catalog([100])) as [number];
    const [theirs, ours] = [inHours(30), inHours(40)];
    // Just before our restock commits (it read the lot as new), another one creates the lot.
    beforeTransaction(
      (items) => items.some((i) => String(i.Update?.ConditionExpression) === 'attribute_not_exists(pk)'),
      () => post('/inventory/process_restock', [{ product_id: p, quantity: 1, lot: 'RACE', expires_at: theirs }]),
    );
    const refused = await post('/inventory/process_restock', [
      { product_id: p, quantity: 2 },
      { product_id: p, quantity: 5, lot: 'RACE', expires_at: ours },
    ]);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('[1].expires_at');
    expect((await productView(p)).lots).toEqual([{ lot: 'RACE', quantity: 1, expires_at: theirs, expired: false }]);
    expect(violations(await readState())).toEqual([]);
  });

  it('takes lots from EventBridge restocks by the same rules; a refused event changes nothing', async () => {
    const [p] = (await catalog([100])) as [number];
    const expiry = inHours(12);
    await sendRestockEvent([{ product_id: p, quantity: 3, lot: 'EVT-1', expires_at: expiry }]);
    await sendRestockEvent([{ product_id: p, quantity: 3, lot: 'EVT-1', expires_at: inHours(13) }]);
    expect((await productView(p)).lots).toEqual([{ lot: 'EVT-1', quantity: 3, expires_at: expiry, expired: false }]);
  });

  it('answers a replayed key with its first answer and refuses the same key with other lots (409)', async () => {
    const [p] = (await catalog([100])) as [number];
    const key = { 'Idempotency-Key': `lots-${uniqueOrderId()}` };
    const body = [{ product_id: p, quantity: 2, lot: 'A', expires_at: inHours(10) }];
    const first = await post('/inventory/process_restock', body, key);
    expect(first.status).toBe(200);
    expect(await post('/inventory/process_restock', body, key)).toMatchObject({ status: 200, body: first.body });
    expect((await post('/inventory/process_restock', [{ product_id: p, quantity: 2, lot: 'B' }], key)).status).toBe(
      409,
    );
    expect((await post('/inventory/process_restock', [{ product_id: p, quantity: 2 }], key)).status).toBe(409);
    expect((await productView(p)).quantity).toBe(2);
  });

  it('gives the lots that expire first to the waiting orders served first', async () => {
    const [p] = (await catalog([100])) as [number];
    const orders = [];
    for (let i = 0; i < 2; i++) {
      const o = await post('/inventory/process_order', {
        order_id: uniqueOrderId('fefo'),
        requested: [{ product_id: p, quantity: 3 }],
      });
      expect(o.body.status).toBe('backordered');
      orders.push(o.body.order_id);
    }
    const res = await post('/inventory/process_restock', [
      { product_id: p, quantity: 4, lot: 'LATER', expires_at: inHours(48) },
      { product_id: p, quantity: 2, lot: 'SOONER', expires_at: inHours(24) },
    ]);
    const to = (orderId: string) =>
      lotsShipped(
        res.body.shipments.filter((s: any) => s.order_id === orderId),
        p,
      );
    expect(to(orders[0])).toEqual({ SOONER: 2, LATER: 1 });
    expect(to(orders[1])).toEqual({ LATER: 3 });
    expect((await productView(p)).lots).toEqual([]);
    expect(violations(await readState())).toEqual([]);
  });

  it('ships an earlier-expiring lot first even when this function never saw it restocked (rule 9 at commit)', async () => {
    // Another function restocks a lot that expires before the one on hand: this function's
    // remembered stock lacks it, and a plan on it would take the later lot. The take's guard
    // must refuse that plan, so the lot that expires first still goes first.
    const [p, q] = (await catalog([300, 450])) as [number, number];
    await post('/inventory/process_restock', [
      { product_id: p, quantity: 10, lot: 'LATE-P', expires_at: inHours(72) },
      { product_id: q, quantity: 10, lot: 'LATE-Q', expires_at: inHours(72) },
    ]);
    expect((await post('/inventory/process_order', { requested: [{ product_id: p, quantity: 1 }] })).status).toBe(201);
    const seen = await getProducts([p, q]);
    await post('/inventory/process_restock', [
      { product_id: p, quantity: 4, lot: 'EARLY-P', expires_at: inHours(24) },
      { product_id: q, quantity: 4, lot: 'EARLY-Q', expires_at: inHours(24) },
    ]);
    rememberProducts(seen.values());
    const order = await post('/inventory/process_order', {
      requested: [
        { product_id: p, quantity: 2 },
        { product_id: q, quantity: 1 },
      ],
    });
    expect(order.status).toBe(201);
    expect(lotsShipped(order.body.shipments, p)).toEqual({ 'EARLY-P': 2 });
    expect(lotsShipped(order.body.shipments, q)).toEqual({ 'EARLY-Q': 1 });

    expect(violations(await readState())).toEqual([]);
  });

  it('never leaves an emptied named lot behind, not even on a plan that believed it held more', async () => {
    // This function remembers 4 units in the lot; another took 2 since. An order for the last 2,
    // planned as not emptying the lot, must not leave it at 0 units: it is planned again.
    const [p] = (await catalog([300])) as [number];
    await post('/inventory/process_restock', [
      { product_id: p, quantity: 5, lot: 'EMPTY-ME', expires_at: inHours(24) },
      { product_id: p, quantity: 3 },
    ]);
    expect((await post('/inventory/process_order', { requested: [{ product_id: p, quantity: 1 }] })).status).toBe(201);
    const seen = await getProducts([p]);
    expect((await post('/inventory/process_order', { requested: [{ product_id: p, quantity: 2 }] })).status).toBe(201);
    rememberProducts(seen.values());
    const order = await post('/inventory/process_order', { requested: [{ product_id: p, quantity: 2 }] });
    expect(lotsShipped(order.body.shipments, p)).toEqual({ 'EMPTY-ME': 2 });
    expect((await productView(p)).lots).toEqual([{ lot: null, quantity: 3, expires_at: null, expired: false }]);
    expect(violations(await readState())).toEqual([]);
  });

  it('never ships an expired unit, not even on a plan that believed it usable (rule 10)', async () => {
    const [p] = (await catalog([100])) as [number];
    // A lot that expires in a moment, beside units that never expire.
    const expiresAt = new Date(Date.now() + TAKE_HORIZON_MS + 1_500).toISOString();
    await post('/inventory/process_restock', [
      { product_id: p, quantity: 5, lot: 'SHORT', expires_at: expiresAt },
      { product_id: p, quantity: 2 },
    ]);
    // Once the lot expires within a take's horizon, it is not usable.
    await pause(2_000);
    // This function believes the lot usable for a day: its plan takes from it, and the take's
    // condition at commit refuses; planned again on the stored lots, it ships the unnamed units.
    const seen = (await getProducts([p])).get(p)!;
    rememberProducts([
      { ...seen, lots: seen.lots.map((l) => (l.lot === 'SHORT' ? { ...l, expiresAt: inHours(24) } : l)) },
    ]);
    const order = await post('/inventory/process_order', {
      order_id: uniqueOrderId(),
      priority: 'emergency',
      requested: [{ product_id: p, quantity: 4 }],
    });
    expect(order.body.status).toBe('partially_shipped');
    expect(lotsShipped(order.body.shipments, p)).toEqual({ '(unnamed)': 2 });
    // Expired units stay on hand (until the sweeper writes them off) but serve nobody, and the
    // waiting emergency order does not make them stranded (rule 8 counts usable units).
    await pause(Date.parse(expiresAt) - Date.now() + 50);
    expect((await productView(p)).lots).toEqual([{ lot: 'SHORT', quantity: 5, expires_at: expiresAt, expired: true }]);
    expect(violations(await readState())).toEqual([]);
    // A write-off without a lot takes usable units only (none are left).
    const fefo = await post('/inventory/write_offs', [{ product_id: p, quantity: 1, reason: 'damaged' }]);
    expect(fefo.status).toBe(422);
    // The sweeper writes the expired units off (reason `expired`), once however often it runs.
    await runSweeper();
    await runSweeper();
    expect((await productView(p)).lots).toEqual([]);
    expect((await productView(p)).written_off).toBe(5);
    await sequenceLedger();
    const moves = (await get(`/inventory/products/${p}/movements`)).body.movements;
    expect(moves.filter((m: any) => m.kind === 'write_off').map((m: any) => [m.lot, m.quantity, m.ref.reason])).toEqual(
      [['SHORT', -5, 'expired']],
    );
    await followStream();
    expect((await get(`/inventory/products/${p}/lots/SHORT`)).body).toMatchObject({
      on_hand: 0,
      restocked: 5,
      shipped: 0,
      written_off: 5,
      recalled: false,
    });
    expect(violations(await readState())).toEqual([]);
  }, 20_000);

  it('recalls a lot: writes off its units, lists every package that carried it, refuses it from then on', async () => {
    const [p] = (await catalog([400])) as [number];
    const delivery = { 'Idempotency-Key': uniqueOrderId('delivery') };
    const lots = [
      { product_id: p, quantity: 10, lot: 'PLT-R', expires_at: inHours(30) },
      { product_id: p, quantity: 5 },
    ];
    const first = await post('/inventory/process_restock', lots, delivery);
    const orders: string[] = [];
    for (const quantity of [3, 6]) {
      const o = await post('/inventory/process_order', {
        order_id: uniqueOrderId('hospital'),
        requested: [{ product_id: p, quantity }],
      });
      orders.push(o.body.order_id);
    }
    // 9 units of PLT-R shipped to two hospitals; 1 is left on hand.
    await followStream();
    const recalled = await post('/inventory/recalls', { product_id: p, lot: 'PLT-R', reason: 'donor tested positive' });
    expect(recalled.status).toBe(200);
    expect(recalled.body).toMatchObject({
      product_id: p,
      lot: 'PLT-R',
      recalled: true,
      restocked: 10,
      on_hand: 0,
      shipped: 9,
      written_off: 1,
      next_cursor: null,
    });
    // Every package that carried the lot, oldest first: whom the recall must reach.
    const carried = recalled.body.shipments;
    expect(carried.reduce((n: number, s: any) => n + s.quantity, 0)).toBe(9);
    expect([...new Set(carried.map((s: any) => s.order_id))]).toEqual(orders);
    // Again: nothing changes, the same view.
    const again = await post('/inventory/recalls', { product_id: p, lot: 'PLT-R' });
    expect(again.body).toEqual(recalled.body);
    // A recalled lot is never restocked again, and the GET shows it.
    const restock = await post('/inventory/process_restock', [{ product_id: p, quantity: 1, lot: 'PLT-R' }]);
    expect(restock.status).toBe(422);
    expect((await get(`/inventory/products/${p}/lots/PLT-R`)).body).toEqual(recalled.body);
    // But the delivery that brought it, replayed, answers as it first did (SPEC: restock replay),
    // also on a function that does not remember the answer.
    forgetReplays();
    expect(await post('/inventory/process_restock', lots, delivery)).toMatchObject({ status: 200, body: first.body });
    // One LotRecalled event, and the units it took off as StockWrittenOff (reason `recalled`).
    await sequenceLedger();
    const events: any[] = [];
    await followStream({
      publish: async (made) => {
        events.push(...made);
        return { failed: [] };
      },
    });
    const about = (type: string) => events.filter((e) => e.detailType === type && e.detail.product_id === p);
    expect(about('LotRecalled').map((e) => e.detail)).toEqual([
      { event_id: `lot-recalled:${p}/PLT-R`, product_id: p, lot: 'PLT-R' },
    ]);
    expect(about('StockWrittenOff').map((e) => [e.detail.lot, e.detail.quantity, e.detail.reason])).toEqual([
      ['PLT-R', 1, 'recalled'],
    ]);
    // The follower ran again over the same records: nothing was counted twice.
    expect((await get(`/inventory/products/${p}/lots/PLT-R`)).body).toEqual(recalled.body);
    expect(violations(await readState())).toEqual([]);
  });

  // Found by the model-based test under injected faults: a recall that read the lot with nothing
  // on hand wrote only its recall, and a restock committed in between stayed on hand, recalled.
  it('a recall that read the lot empty, with a restock of it committed just before, writes that off too', async () => {
    const [p] = (await catalog([400])) as [number];
    await post('/inventory/process_restock', [{ product_id: p, quantity: 1, lot: 'RACE-R', expires_at: inHours(30) }]);
    await post('/inventory/process_order', {
      order_id: uniqueOrderId('took-it'),
      requested: [{ product_id: p, quantity: 1 }],
    });
    await followStream();
    beforeTransaction(
      (items) => items.some((i) => String(i.Put?.Item?.sk).startsWith('RECALL#')),
      () => post('/inventory/process_restock', [{ product_id: p, quantity: 2, lot: 'RACE-R' }]),
    );
    const recalled = await post('/inventory/recalls', { product_id: p, lot: 'RACE-R' });
    expect(recalled.status).toBe(200);
    expect(recalled.body).toMatchObject({ recalled: true, restocked: 3, on_hand: 0, shipped: 1, written_off: 2 });
    expect((await productView(p)).lots).toEqual([]);
    expect(violations(await readState())).toEqual([]);
  });

  // A restock checked just before its lot expired may commit just after (its request was slow, or
  // its function's clock runs behind): one that landed between the sweeper's read of the lot and
  // its write-off stayed on hand in the expired lot for good, the lot's mark cleared.
  it("a restock of a lot committed between the sweeper's read and its write-off is written off too", () =>
    onFakeClock(async () => {
      const { p, expiresAt } = await threeUnitsExpiring('EXP-R', 200);
      vi.setSystemTime(Date.parse(expiresAt) + 1_000);
      beforeTransaction(
        (items) => items.some((i) => String(i.Put?.Item?.pk).startsWith('WRITEOFF#expired:')),
        // From a function whose clock runs behind, the lot has not expired yet.
        () =>
          atTime(Date.parse(expiresAt) - 1_000, async () =>
            expect(
              (await post('/inventory/process_restock', [{ product_id: p, quantity: 2, lot: 'EXP-R' }])).status,
            ).toBe(200),
          ),
      );
      await runSweeper();
      await expectAllWrittenOff(p, 'EXP-R', [3, 2]);
    }));

  it('a restock of a lot committed after the sweeper wrote it off is written off by the next sweep', () =>
    onFakeClock(async () => {
      const { p, expiresAt } = await threeUnitsExpiring('EXP-L', 200);
      vi.setSystemTime(Date.parse(expiresAt) + 1_000);
      await runSweeper();
      expect((await productView(p)).lots).toEqual([]);
      // From a function whose clock runs behind, the lot has not expired yet: it is restocked.
      await atTime(Date.parse(expiresAt) - 1_000, async () =>
        expect((await post('/inventory/process_restock', [{ product_id: p, quantity: 2, lot: 'EXP-L' }])).status).toBe(
          200,
        ),
      );
      expect((await productView(p)).lots).toEqual([
        { lot: 'EXP-L', quantity: 2, expires_at: expiresAt, expired: true },
      ]);
      // Its units carry the sweeper's mark again (the invariants check it).
      expect(violations(await readState())).toEqual([]);
      await runSweeper();
      await expectAllWrittenOff(p, 'EXP-L', [3, 2]);
    }));

  it('refuses (422) a restock whose lot expires between its check and its commit, and changes nothing', () =>
    onFakeClock(async () => {
      const { p, expiresAt } = await threeUnitsExpiring('EXP-C', 100);
      const seen = await getProducts([p]);
      const order = await post('/inventory/process_order', {
        order_id: uniqueOrderId('waits'),
        requested: [{ product_id: p, quantity: 5 }],
      });
      expect(order.body.status).toBe('partially_shipped');
      // This function believes nobody waits: its restock is one write whose guard finds the
      // order waiting, and is sent again, a moment later, once the lot has expired.
      rememberProducts(seen.values());
      vi.setSystemTime(Date.parse(expiresAt) - 1_000);
      const before = await productView(p);
      beforeTransaction(
        (items) => items.some((i) => String(i.Put?.Item?.pk).startsWith('RESTOCK#')),
        async () => vi.setSystemTime(Date.parse(expiresAt)),
      );
      const late = await post('/inventory/process_restock', [{ product_id: p, quantity: 2, lot: 'EXP-C' }]);
      expect(late.status).toBe(422);
      expect(late.body.errors).toEqual([
        { path: '[0].lot', message: `lot EXP-C of product ${p} expired at ${expiresAt}` },
      ]);
      expect(await productView(p)).toEqual(before);
      await followStream();
      expect((await get(`/inventory/products/${p}/lots/EXP-C`)).body).toMatchObject({
        restocked: 3,
        on_hand: 0,
        shipped: 3,
      });
      expect(violations(await readState())).toEqual([]);
    }));

  /**
   * A restock too large for one transaction commits in parts; its later parts' lots are checked
   * with the first, before it commits. Catalog of 98 products with no lot (the first part) and
   * the named ones after them (a later part), and the line for each of the 98.
   */
  async function restockInParts(named: number) {
    const ids = await catalog(Array.from({ length: 98 + named }, () => 100));
    const first = ids.slice(0, 98);
    return { first, named: ids.slice(98), lines: first.map((product_id) => ({ product_id, quantity: 1 })) };
  }
  const isLaterPart = (items: any[]) => items.some((i) => String(i.Update?.UpdateExpression).includes('parts_applied'));
  /**
   * Runs `meanwhile` just before the restock's later part: before it reads its lots again, or
   * between that read and its transaction. (The restock reads its lots first when it checks them.)
   */
  function beforeLaterPart(moment: 'read' | 'commit', meanwhile: () => Promise<unknown>): void {
    if (moment === 'commit') {
      beforeTransaction(isLaterPart, meanwhile);
      return;
    }
    let lotReads = 0;
    const readsLots = (c: any) =>
      c instanceof BatchGetCommand &&
      Object.values(c.input.RequestItems ?? {}).some((r: any) =>
        r.Keys.some((k: any) => String(k.sk).startsWith('LOT#')),
      );
    beforeCommand((c) => readsLots(c) && ++lotReads === 2, meanwhile);
  }

  // A recall is allowed at any time: one that landed between a restock's first part and a later
  // part naming the lot failed that part for good (500, every resume failed again, its drain never
  // ran). The restock is under way: the units arrive, recorded, and are written off at once.
  it.each(['read', 'commit'] as const)(
    "a restock under way writes off at once the units of a lot recalled before its later part's %s (rule 7)",
    async (moment) => {
      const { first, named, lines } = await restockInParts(1);
      const x = named[0]!;
      await post('/inventory/process_restock', [{ product_id: x, quantity: 2, lot: 'RCL-P', expires_at: inHours(30) }]);
      const waitsForX = await post('/inventory/process_order', {
        order_id: uniqueOrderId('x'),
        requested: [{ product_id: x, quantity: 5 }],
      });
      expect(waitsForX.body.status).toBe('partially_shipped');
      const waitsForFirst = await post('/inventory/process_order', {
        order_id: uniqueOrderId('first'),
        requested: [{ product_id: first[0], quantity: 1 }],
      });
      expect(waitsForFirst.body.status).toBe('backordered');
      beforeLaterPart(moment, async () =>
        expect((await post('/inventory/recalls', { product_id: x, lot: 'RCL-P' })).status).toBe(200),
      );
      const res = await post('/inventory/process_restock', [...lines, { product_id: x, quantity: 4, lot: 'RCL-P' }], {
        'idempotency-key': uniqueOrderId('parts-recalled'),
      });
      expect(res.status).toBe(200);
      expect(res.body.shipments.map((s: any) => s.order_id)).toEqual([waitsForFirst.body.order_id]);
      expect(await productView(x)).toMatchObject({ quantity: 0, lots: [], written_off: 4, backordered: 3 });
      expect((await get(`/inventory/orders/${waitsForX.body.order_id}`)).body.status).toBe('partially_shipped');
      await sequenceLedger();
      await followStream();
      expect((await get(`/inventory/products/${x}/lots/RCL-P`)).body).toMatchObject({
        recalled: true,
        restocked: 6,
        on_hand: 0,
        shipped: 2,
        written_off: 4,
      });
      const moves = (await get(`/inventory/products/${x}/movements`)).body.movements;
      expect(moves.map((m: any) => [m.kind, m.lot, m.quantity, m.on_hand_after, m.ref.reason])).toEqual([
        ['restock', 'RCL-P', 2, 2, undefined],
        ['shipment', 'RCL-P', -2, 0, undefined],
        ['restock', 'RCL-P', 4, 4, undefined],
        ['write_off', 'RCL-P', -4, 0, 'recalled'],
      ]);
      expect(violations(await readState())).toEqual([]);
    },
  );

  // A later part names a lot new when the restock was checked; another restock creates it first,
  // with another expiry (fixed by the first restock that names it). Units that expire before the
  // lot does would be shipped after they expired (rule 10): written off (`other`) as they arrive.
  // Units that expire later land in the lot, under its earlier expiry.
  it.each(['read', 'commit'] as const)(
    "a restock under way writes off units whose lot was created, before its later part's %s, with a later expiry than theirs (rule 10)",
    async (moment) => {
      const { named, lines } = await restockInParts(2);
      const [x, y] = named as [number, number];
      const [units, later, earlier] = [inHours(20), inHours(40), inHours(10)];
      beforeLaterPart(moment, async () =>
        expect(
          (
            await post('/inventory/process_restock', [
              { product_id: x, quantity: 3, lot: 'NEW-X', expires_at: later },
              { product_id: y, quantity: 3, lot: 'NEW-Y', expires_at: earlier },
            ])
          ).status,
        ).toBe(200),
      );
      const res = await post('/inventory/process_restock', [
        ...lines,
        { product_id: x, quantity: 4, lot: 'NEW-X', expires_at: units },
        { product_id: y, quantity: 4, lot: 'NEW-Y', expires_at: units },
      ]);
      expect(res.status).toBe(200);
      expect(await productView(x)).toMatchObject({
        quantity: 3,
        written_off: 4,
        lots: [{ lot: 'NEW-X', quantity: 3, expires_at: later, expired: false }],
      });
      expect(await productView(y)).toMatchObject({
        quantity: 7,
        written_off: 0,
        lots: [{ lot: 'NEW-Y', quantity: 7, expires_at: earlier, expired: false }],
      });
      await sequenceLedger();
      await followStream();
      expect((await get(`/inventory/products/${x}/lots/NEW-X`)).body).toMatchObject({
        expires_at: later,
        restocked: 7,
        on_hand: 3,
        written_off: 4,
      });
      expect((await get(`/inventory/products/${y}/lots/NEW-Y`)).body).toMatchObject({
        expires_at: earlier,
        restocked: 7,
        on_hand: 7,
        written_off: 0,
      });
      const moves = (await get(`/inventory/products/${x}/movements`)).body.movements;
      expect(moves.map((m: any) => [m.kind, m.quantity, m.on_hand_after, m.ref.reason])).toEqual([
        ['restock', 3, 3, undefined],
        ['restock', 4, 7, undefined],
        ['write_off', -4, 3, 'other'],
      ]);
      expect(moves[2].ref.write_off_key).toMatch(/^restock:/);
      expect(violations(await readState())).toEqual([]);
    },
  );

  /** A product of the restock's later part (see restockInParts) holding `held` named lots CAP-<i>. */
  async function laterPartProductAtLotCap(held = MAX_LOTS_ON_HAND) {
    const { first, named, lines } = await restockInParts(1);
    const x = named[0]!;
    const full = Array.from({ length: held }, (_, i) => ({
      product_id: x,
      quantity: 1,
      lot: `CAP-${i}`,
      expires_at: inHours(10 + i),
    }));
    expect((await post('/inventory/process_restock', full)).status).toBe(200);
    return { first, x, lines };
  }

  // The lot cap was checked only by the first part's transaction: a product whose line landed in a
  // later part failed that part on every try (500, the first part's products restocked, the later
  // part's units never landing, every resume failing again). Checked with the products' read now,
  // before anything commits: the same 422 as for a product of the first part, nothing restocked.
  // The check is the rule of the product's update: once a lot is new, every lot the restock names
  // counts as new (39 on hand, CAP-0 among them, and one new lot: refused by the update too).
  it.each([
    [MAX_LOTS_ON_HAND, ['ONE-MORE']],
    [MAX_LOTS_ON_HAND - 1, ['CAP-0', 'ONE-MORE']],
  ])(
    `refuses whole (422) a restock in parts whose later part would leave a product holding %i lots with more than ${MAX_LOTS_ON_HAND} (%j)`,
    async (held, named) => {
      const { first, x, lines } = await laterPartProductAtLotCap(held);
      const before = await productsById();
      const key = uniqueOrderId('parts-cap');
      const extra = named.map((lot) => ({ product_id: x, quantity: 5, lot }));
      const res = await post('/inventory/process_restock', [...lines, ...extra], { 'idempotency-key': key });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([
        {
          path: `[${lines.length}].product_id`,
          message: `product ${x} holds ${held} lots on hand; at most ${MAX_LOTS_ON_HAND}`,
        },
      ]);
      const after = await productsById();
      for (const id of [...first, x]) expect(after.get(id)).toEqual(before.get(id));
      // Nothing was remembered: the key is free, and the restock without the extra lot goes through.
      const ok = await post('/inventory/process_restock', [...lines, { product_id: x, quantity: 5, lot: 'CAP-0' }], {
        'idempotency-key': key,
      });
      expect(ok.status).toBe(200);
      expect((await productView(x)).quantity).toBe(held + 5);
      expect(violations(await readState())).toEqual([]);
    },
    30_000,
  );

  // Checked whole before its first part, a restock may still find, at its later part's commit, a
  // product that concurrent restocks have since brought to the cap. Refusing the part would leave
  // the restock half applied for good; landing over the cap would let a take outgrow one update's
  // 4 KB expression. The units of the lot one too many arrive recorded and are written off (other),
  // traceable in the ledger and the lot; the rest of the part lands.
  it(`a restock under way writes off units of a new lot that concurrent restocks left no room for (at most ${MAX_LOTS_ON_HAND})`, async () => {
    const { x, lines } = await laterPartProductAtLotCap(MAX_LOTS_ON_HAND - 2);
    const [expiresAt, meanwhile] = [inHours(30), inHours(60)];
    beforeLaterPart('commit', async () =>
      expect(
        (
          await post('/inventory/process_restock', [
            { product_id: x, quantity: 1, lot: 'MEANWHILE-1', expires_at: meanwhile },
            { product_id: x, quantity: 1, lot: 'MEANWHILE-2', expires_at: meanwhile },
          ])
        ).status,
      ).toBe(200),
    );
    const res = await post('/inventory/process_restock', [
      ...lines,
      { product_id: x, quantity: 2, lot: 'CAP-0' },
      { product_id: x, quantity: 4, lot: 'ONE-TOO-MANY', expires_at: expiresAt },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.restocked).toContainEqual({ product_id: x, quantity: 4, lot: 'ONE-TOO-MANY' });
    const view = await productView(x);
    expect(view).toMatchObject({ quantity: MAX_LOTS_ON_HAND + 2, written_off: 4 });
    expect(view.lots).toHaveLength(MAX_LOTS_ON_HAND);
    expect(view.lots.find((l: any) => l.lot === 'CAP-0').quantity).toBe(3);
    await sequenceLedger();
    await followStream();
    expect((await get(`/inventory/products/${x}/lots/ONE-TOO-MANY`)).body).toMatchObject({
      expires_at: expiresAt,
      restocked: 4,
      on_hand: 0,
      written_off: 4,
    });
    const moves = (await get(`/inventory/products/${x}/movements`)).body.movements;
    expect(moves.slice(-3).map((m: any) => [m.kind, m.lot, m.quantity, m.ref.reason])).toEqual([
      ['restock', 'CAP-0', 2, undefined],
      ['restock', 'ONE-TOO-MANY', 4, undefined],
      ['write_off', 'ONE-TOO-MANY', -4, 'other'],
    ]);
    expect(moves.at(-1).ref.write_off_key).toMatch(/^restock:/);
    expect(violations(await readState())).toEqual([]);
  }, 30_000);

  it('pages a lot of more than 1000 packages without repeating or skipping one', async () => {
    const [p] = (await catalog([1800])) as [number];
    await post('/inventory/process_restock', [{ product_id: p, quantity: 1003, lot: 'BIG', expires_at: inHours(30) }]);
    for (const quantity of [2, 1000, 1]) {
      await post('/inventory/process_order', {
        order_id: uniqueOrderId('big'),
        requested: [{ product_id: p, quantity }],
      });
    }
    await followStream();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      const page = await get(`/inventory/products/${p}/lots/BIG${query}`);
      expect(page.status).toBe(200);
      expect(page.body.shipments.length).toBeLessThanOrEqual(1000);
      seen.push(...page.body.shipments.map((s: any) => s.shipment_id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(1003);
    expect(new Set(seen).size).toBe(1003);
    expect((await get(`/inventory/products/${p}/lots/BIG?cursor=nope`)).status).toBe(422);
    expect((await get(`/inventory/products/${p}/lots/NONE`)).status).toBe(404);
    expect((await get(`/inventory/products/${p}/lots/bad%20lot`)).status).toBe(404);
    expect((await post('/inventory/recalls', { product_id: p, lot: 'NONE' })).status).toBe(404);
    expect((await post('/inventory/recalls', { product_id: p, lot: null })).status).toBe(400);
  }, 60_000);

  it(`holds at most ${MAX_LOTS_ON_HAND} named lots on hand per product; one more is refused and changes nothing`, async () => {
    const [p] = (await catalog([1])) as [number];
    const lots = Array.from({ length: MAX_LOTS_ON_HAND }, (_, i) => ({
      product_id: p,
      quantity: 1,
      lot: `L${i}`,
      expires_at: inHours(1 + i),
    }));
    expect((await post('/inventory/process_restock', lots)).status).toBe(200);
    const more = await post('/inventory/process_restock', [{ product_id: p, quantity: 1, lot: 'ONE-MORE' }]);
    expect(more.status).toBe(422);
    expect((await productView(p)).quantity).toBe(MAX_LOTS_ON_HAND);
    // Every lot at once: one order takes from all of them, in one transaction.
    const order = await post('/inventory/process_order', {
      order_id: uniqueOrderId(),
      requested: [{ product_id: p, quantity: MAX_LOTS_ON_HAND }],
    });
    expect(order.body.status).toBe('fulfilled');
    expect(Object.keys(lotsShipped(order.body.shipments, p))).toHaveLength(MAX_LOTS_ON_HAND);
    expect(violations(await readState())).toEqual([]);
  });
});
