/**
 * init_catalog and GET /inventory/products at the edges of their limits: ids up to 2^53 - 1,
 * assigned ids, and the catalog read a page at a time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, get, post, productsById } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';

describe('catalog', () => {
  beforeAll(async () => {
    await createTestTable('catalog');
  });

  it('takes product_id 2^53 - 1, then still assigns ids below it', async () => {
    const top = Number.MAX_SAFE_INTEGER;
    const res = await post('/inventory/init_catalog', [
      { product_id: top, product_name: 'Top', mass_g: 10 },
      { product_id: top - 1, product_name: 'Below top', mass_g: 10 },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.products.map((p: any) => p.product_id)).toEqual([top, top - 1]);
    const assigned = await post('/inventory/init_catalog', [
      { product_name: 'A', mass_g: 1 },
      { product_name: 'B', mass_g: 2 },
    ]);
    expect(assigned.status).toBe(201);
    for (const p of assigned.body.products) {
      expect(Number.isSafeInteger(p.product_id)).toBe(true);
      expect(p.product_id).toBeLessThan(2 ** 52);
    }
    const order = await post('/inventory/process_order', {
      order_id: 'top-1',
      requested: [{ product_id: top, quantity: 1 }],
    });
    expect(order.status).toBe(201);
    expect(order.body.backordered).toEqual([{ product_id: top, quantity: 1 }]);
  });

  it('lists the catalog a page at a time, in id order, never repeating or skipping a product', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => 7_000_000 + i * 3);
    await post(
      '/inventory/init_catalog',
      ids.map((product_id) => ({ product_id, product_name: `P${product_id}`, mass_g: 5 })),
    );
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await get(
        `/inventory/products?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.products.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.products.map((p: any) => p.product_id));
      cursor = res.body.next_cursor;
      // A product created during the walk, after the current page: listed once, at its place.
      if (pages++ === 1) {
        await post('/inventory/init_catalog', [{ product_id: 7_000_100, product_name: 'late', mass_g: 5 }]);
      }
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    expect(seen).toContain(7_000_100);
    expect((await productsById()).size).toBe(seen.length);
  });

  it('refuses a limit out of range and a cursor it did not give, with 422', async () => {
    for (const query of ['limit=0', 'limit=1001', 'limit=1.5', 'limit=abc', 'cursor=xyz', 'cursor=p1.LTE']) {
      const res = await get(`/inventory/products?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.headers['content-type']).toBe('application/problem+json');
    }
  });
});
