/** process_order and GET order: rules 2, 3, 4 (new orders), 6 and 7, and order ids. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../support/dynamodb.js';
import { catalog, get, post, productsById, uniqueOrderId } from '../support/api.js';

async function stock(lines: Array<[number, number]>) {
  const res = await post(
    '/inventory/process_restock',
    lines.map(([product_id, quantity]) => ({ product_id, quantity })),
  );
  expect(res.status).toBe(200);
  return res.body;
}

describe('process_order', () => {
  beforeAll(async () => {
    await createTestTable('orders');
  });

  it('ships what is on hand now and backorders the rest (rule 3)', async () => {
    const [a, b] = await catalog([500, 200]);
    await stock([
      [a!, 3],
      [b!, 10],
    ]);
    const res = await post('/inventory/process_order', {
      order_id: uniqueOrderId(),
      requested: [
        { product_id: a, quantity: 5 },
        { product_id: b, quantity: 2 },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('partially_shipped');
    expect(res.body.shipped).toEqual([
      { product_id: a, quantity: 3 },
      { product_id: b, quantity: 2 },
    ]);
    expect(res.body.backordered).toEqual([{ product_id: a, quantity: 2 }]);
    // 3 x 500 + 2 x 200 = 1900 g: two packages at least, and two suffice (rule 2).
    expect(res.body.shipments).toHaveLength(2);
    for (const s of res.body.shipments) expect(s.mass_g).toBeLessThanOrEqual(1800);
    const products = await productsById();
    expect(products.get(a)).toMatchObject({ quantity: 0, backordered: 2 });
    expect(products.get(b)).toMatchObject({ quantity: 8, backordered: 0 });
  });

  it('packs an order into the fewest packages (rule 2)', async () => {
    const [a, b, c] = await catalog([900, 600, 300]);
    await stock([
      [a!, 2],
      [b!, 3],
      [c!, 6],
    ]);
    // 2x900 + 3x600 + 6x300 = 5400 g = exactly 3 full packages; first-fit-decreasing also finds 3 here,
    // but next-fit per unit in request order would need more.
    const res = await post('/inventory/process_order', {
      requested: [
        { product_id: c, quantity: 6 },
        { product_id: a, quantity: 2 },
        { product_id: b, quantity: 3 },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('fulfilled');
    expect(res.body.shipments).toHaveLength(3);
    expect(res.body.shipments.every((s: any) => s.mass_g === 1800)).toBe(true);
    expect(typeof res.body.order_id).toBe('string');
  });

  it('echoes integer and string order ids with their JSON type, and reads them back', async () => {
    const [a] = await catalog([100]);
    await stock([[a!, 5]]);
    const intId = 9_007_199_254_740_991;
    const r1 = await post('/inventory/process_order', { order_id: intId, requested: [{ product_id: a, quantity: 1 }] });
    expect(r1.status).toBe(201);
    expect(r1.body.order_id).toBe(intId);
    expect((await get(`/inventory/orders/${intId}`)).body.order_id).toBe(intId);
    expect((await get(`/inventory/orders/${intId}/`)).status).toBe(200);
    const r2 = await post('/inventory/process_order', {
      order_id: 'A-1.b:c_d',
      requested: [{ product_id: a, quantity: 1 }],
    });
    expect(r2.body.order_id).toBe('A-1.b:c_d');
    expect((await get('/inventory/orders/A-1.b:c_d')).body.order_id).toBe('A-1.b:c_d');
    expect((await get('/inventory/orders/no-such-order')).status).toBe(404);
  });

  it('replays an order: same lines answer 200 and change nothing; other lines answer 409 (rule 6)', async () => {
    const [a] = await catalog([100]);
    await stock([[a!, 5]]);
    const id = uniqueOrderId();
    const first = await post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 2 }] });
    expect(first.status).toBe(201);
    // Same per-product quantities, split over two lines: still the same order.
    const again = await post('/inventory/process_order', {
      order_id: id,
      requested: [
        { product_id: a, quantity: 1 },
        { product_id: a, quantity: 1 },
      ],
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 3 }] });
    expect(other.status).toBe(409);
    expect(other.headers['content-type']).toBe('application/problem+json');
    const products = await productsById();
    expect(products.get(a)).toMatchObject({ quantity: 3 });
  });

  it('creates an order once when identical requests race', async () => {
    const [a] = await catalog([100]);
    await stock([[a!, 100]]);
    const id = uniqueOrderId();
    const body = { order_id: id, requested: [{ product_id: a, quantity: 7 }] };
    const results = await Promise.all(Array.from({ length: 10 }, () => post('/inventory/process_order', body)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(9);
    const products = await productsById();
    expect(products.get(a)).toMatchObject({ quantity: 93 });
  });

  it('refuses an unknown product with 422 and changes nothing (rule 7)', async () => {
    const [a] = await catalog([100]);
    await stock([[a!, 5]]);
    const id = uniqueOrderId();
    const res = await post('/inventory/process_order', {
      order_id: id,
      requested: [
        { product_id: a, quantity: 1 },
        { product_id: 99_999_999, quantity: 1 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: 'requested[1].product_id', message: expect.stringContaining('99999999') },
    ]);
    expect((await get(`/inventory/orders/${id}`)).status).toBe(404);
    const products = await productsById();
    expect(products.get(a)).toMatchObject({ quantity: 5 });
  });

  it('never gives a new order units an older order waits for (rule 4)', async () => {
    const [a] = await catalog([100]);
    const older = uniqueOrderId('older');
    expect(
      (await post('/inventory/process_order', { order_id: older, requested: [{ product_id: a, quantity: 5 }] })).body
        .status,
    ).toBe('backordered');
    // A restock whose drain is cut short leaves units on hand while the older order waits.
    process.env.DRAIN_BUDGET_MS = '0';
    try {
      expect((await stock([[a!, 3]])).draining).toBe(true);
    } finally {
      delete process.env.DRAIN_BUDGET_MS;
    }
    const newer = await post('/inventory/process_order', {
      order_id: uniqueOrderId('newer'),
      requested: [{ product_id: a, quantity: 1 }],
    });
    expect(newer.body.status).toBe('backordered');
    expect((await get(`/inventory/orders/${older}`)).body.shipped).toEqual([]);
  });
});
