/**
 * Races on DynamoDB Local: many orders and restocks at once on scarce stock. Conservation
 * (rule 5) must hold to the unit, nothing may be oversold, and FIFO (rule 4) must survive.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../support/dynamodb.js';
import { get, post, productIds, uniqueOrderId } from '../support/api.js';
import { readState, violations } from '../support/invariants.js';

describe('concurrency', () => {
  beforeAll(async () => {
    await createTestTable('race');
  });

  it('60 concurrent orders compete for 25 units: exactly 25 ship, the rest wait, conservation holds', async () => {
    const [a, b] = productIds(2);
    await post('/inventory/init_catalog', [
      { product_id: a, product_name: 'scarce', mass_g: 450 },
      { product_id: b, product_name: 'plenty', mass_g: 50 },
    ]);
    await post('/inventory/process_restock', [
      { product_id: a, quantity: 25 },
      { product_id: b, quantity: 1000 },
    ]);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post('/inventory/process_order', {
          order_id: uniqueOrderId(`race${i}`),
          requested: [
            { product_id: a, quantity: 1 + (i % 3) },
            { product_id: b, quantity: 2 },
          ],
        }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const shippedA = results
      .flatMap((r) => r.body.shipped)
      .filter((l: any) => l.product_id === a)
      .reduce((n: number, l: any) => n + l.quantity, 0);
    const waitingA = results
      .flatMap((r) => r.body.backordered)
      .filter((l: any) => l.product_id === a)
      .reduce((n: number, l: any) => n + l.quantity, 0);
    const requestedA = results.reduce((n, _r, i) => n + 1 + (i % 3), 0);
    expect(shippedA).toBe(25);
    expect(waitingA).toBe(requestedA - 25);
    const products = new Map((await get('/inventory/products')).body.products.map((p: any) => [p.product_id, p]));
    expect(products.get(a)).toMatchObject({ quantity: 0, backordered: requestedA - 25 });
    expect(products.get(b)).toMatchObject({ quantity: 1000 - 120 });
    expect(violations(await readState())).toEqual([]);
  });

  it('restocks racing new orders: waiting orders are filled oldest first and nothing is stranded', async () => {
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'hot', mass_g: 300 }]);
    const waiting: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = uniqueOrderId(`w${i}`);
      waiting.push(id);
      await post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 2 }] });
    }
    // 10 waiting orders need 20 units; 4 restocks of 4 bring 16 while 20 new orders arrive.
    const newcomers = Array.from({ length: 20 }, (_, i) => uniqueOrderId(`n${i}`));
    await Promise.all([
      ...Array.from({ length: 4 }, () => post('/inventory/process_restock', [{ product_id: a, quantity: 4 }])),
      ...newcomers.map((id) =>
        post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 1 }] }),
      ),
    ]);
    const state = await readState();
    expect(violations(state)).toEqual([]);
    // The first 8 waiting orders are complete, and no newcomer got a unit before them.
    const views = await Promise.all(waiting.map((id) => get(`/inventory/orders/${id}`)));
    expect(views.slice(0, 8).every((v) => v.body.status === 'fulfilled')).toBe(true);
    const newcomerViews = await Promise.all(newcomers.map((id) => get(`/inventory/orders/${id}`)));
    expect(newcomerViews.every((v) => v.body.shipped.length === 0)).toBe(true);
  });
});
