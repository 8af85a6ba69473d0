/**
 * The movement ledger (SPEC v2): every change of a product's units on hand is a movement, listed
 * in commit order with the units on hand right after it. Movements are listed by the sequencer
 * from the table's stream (in AWS its own function): `sequenceLedger()` runs it over the stream
 * as it is now, then the route reads what it listed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, get, post, productIds, productsById, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { readState, violations } from '../support/invariants.js';
import { sequenceLedger } from '../support/ledger.js';

beforeAll(async () => {
  await createTestTable('movements', { stream: true });
});

async function catalog(...masses: number[]): Promise<[number, ...number[]]> {
  const ids = productIds(masses.length);
  const res = await post(
    '/inventory/init_catalog',
    ids.map((product_id, i) => ({ product_id, product_name: `p${product_id}`, mass_g: masses[i] })),
  );
  expect(res.status).toBe(201);
  return ids as [number, ...number[]];
}

/** Every movement of the product, walking pages of `limit`. */
async function walk(productId: number, limit: number): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await get(
      `/inventory/products/${productId}/movements?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(page.status).toBe(200);
    expect(page.body.movements.length).toBeLessThanOrEqual(limit);
    out.push(...page.body.movements);
    cursor = page.body.next_cursor;
  } while (cursor);
  return out;
}

describe('the movement ledger', () => {
  it('lists a restock, the shipment of a new order and the fill of a waiting one, summing to the units on hand', async () => {
    const [a] = await catalog(400);
    const waiting = uniqueOrderId('wait');
    expect(
      (await post('/inventory/process_order', { order_id: waiting, requested: [{ product_id: a, quantity: 3 }] }))
        .status,
    ).toBe(201);
    const restock = await post('/inventory/process_restock', [{ product_id: a, quantity: 10 }], {
      'Idempotency-Key': 'ledger-restock-1',
    });
    expect(restock.status).toBe(200);
    const order = uniqueOrderId('now');
    const placed = await post('/inventory/process_order', {
      order_id: order,
      requested: [{ product_id: a, quantity: 5 }],
    });
    expect(placed.status).toBe(201);
    await sequenceLedger();

    const movements = await walk(a, 100);
    expect(movements.map((m) => [m.movement_id, m.kind, m.quantity, m.on_hand_after])).toEqual([
      [`${a}-1`, 'restock', 10, 10],
      [`${a}-2`, 'shipment', -3, 7],
      [`${a}-3`, 'shipment', -5, 2],
    ]);
    // The restock as the service keys it: `key:` and its Idempotency-Key (`event:` and the id of an EventBridge event).
    expect(movements[0].ref).toEqual({ restock_key: 'key:ledger-restock-1' });
    // A restock that ships at once to waiting orders: a restock movement, then shipment movements.
    expect(movements[1].ref).toEqual({
      order_id: waiting,
      shipment_ids: restock.body.shipments.map((s: any) => s.shipment_id),
    });
    expect(movements[2].ref).toEqual({
      order_id: order,
      shipment_ids: placed.body.shipments.map((s: any) => s.shipment_id),
    });
    for (const m of movements) expect(m).toMatchObject({ product_id: a, lot: null });
    expect((await productsById()).get(a).quantity).toBe(movements.at(-1).on_hand_after);
  });

  it('names only the packages that carried the product, and the parts of a large order once packed', async () => {
    // 60 products in one order: created in parts, packed once at the end.
    const ids = await catalog(...Array.from({ length: 60 }, (_, i) => 100 + i * 20));
    expect(
      (
        await post(
          '/inventory/process_restock',
          ids.map((product_id) => ({ product_id, quantity: 2 })),
        )
      ).status,
    ).toBe(200);
    const order = uniqueOrderId('large');
    const placed = await post('/inventory/process_order', {
      order_id: order,
      requested: ids.map((product_id) => ({ product_id, quantity: 2 })),
    });
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('fulfilled');
    await sequenceLedger();
    for (const id of [ids[0]!, ids[59]!]) {
      const [restocked, shipped] = await walk(id, 1);
      expect(restocked).toMatchObject({ kind: 'restock', quantity: 2, on_hand_after: 2 });
      const carrying = placed.body.shipments
        .filter((s: any) => s.shipped.some((l: any) => l.product_id === id))
        .map((s: any) => s.shipment_id);
      expect(carrying.length).toBeGreaterThan(0);
      expect(carrying.length).toBeLessThan(placed.body.shipments.length);
      expect(shipped).toMatchObject({ kind: 'shipment', quantity: -2, on_hand_after: 0 });
      expect(shipped.ref).toEqual({ order_id: order, shipment_ids: carrying });
    }
  });

  it('walks pages of any size without repeating or skipping a movement', async () => {
    const [a] = await catalog(50);
    for (let i = 0; i < 7; i++) {
      await post('/inventory/process_restock', [{ product_id: a, quantity: 3 + i }]);
      await post('/inventory/process_order', {
        order_id: uniqueOrderId('p'),
        requested: [{ product_id: a, quantity: 2 }],
      });
    }
    await sequenceLedger();
    const all = await walk(a, 1000);
    expect(all).toHaveLength(14);
    for (const limit of [1, 2, 3, 5, 13]) expect(await walk(a, limit)).toEqual(all);
    // The units on hand at every step are the running sum.
    let onHand = 0;
    for (const m of all) {
      onHand += m.quantity;
      expect(m.on_hand_after).toBe(onHand);
    }
    expect(violations(await readState())).toEqual([]);
  });

  it('answers 404 for an unknown product, 422 for a bad limit or cursor, and HEAD like GET', async () => {
    const [a] = await catalog(10);
    expect((await get(`/inventory/products/${a + 10_000}/movements`)).status).toBe(404);
    expect((await get('/inventory/products/007/movements')).status).toBe(404);
    const empty = await get(`/inventory/products/${a}/movements`);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ movements: [], next_cursor: null });
    const head = await call('HEAD', `/inventory/products/${a}/movements`);
    expect([head.status, Number(head.headers['content-length'])]).toEqual([200, JSON.stringify(empty.body).length]);
    for (const query of ['limit=0', 'limit=1001', 'limit=x', 'cursor=nonsense']) {
      const res = await get(`/inventory/products/${a}/movements?${query}`);
      expect(res.status).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
  });
});
