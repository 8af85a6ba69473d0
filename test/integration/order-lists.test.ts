/**
 * GET /inventory/orders (SPEC v2 "Order lists"): waiting orders in the order restocks serve them
 * (priority, then oldest), for one product or all; fulfilled, cancelled and all orders newest
 * first; filters by product and priority; pages that never repeat or skip; bad parameters 422.
 *
 * Settled orders are filed by the stream's follower (in AWS the publish-events function):
 * `followStream()` runs it over the table's stream as it is now.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, catalog, get, post, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { followStream } from '../support/ledger.js';

beforeAll(async () => {
  await createTestTable('order-lists', { stream: true });
});

async function order(productId: number, quantity: number, priority?: string, id = uniqueOrderId(priority ?? 'r')) {
  const res = await post('/inventory/process_order', {
    order_id: id,
    ...(priority ? { priority } : {}),
    requested: [{ product_id: productId, quantity }],
  });
  expect(res.status).toBe(201);
  return id;
}

/** Every order of a list, walking pages of `limit`. */
async function walk(query: string, limit: number): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 500; pages++) {
    const res: any = await get(
      `/inventory/orders?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.orders.length).toBeLessThanOrEqual(limit);
    out.push(...res.body.orders);
    cursor = res.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('the walk did not end');
}

const ids = (orders: any[]) => orders.map((o) => o.order_id);

describe('order lists', () => {
  it('lists who waits for a product in serve order: emergency, urgent, routine, oldest first within each', async () => {
    const [a, b] = await catalog([300, 200]);
    const r1 = await order(a!, 2);
    const r2 = await order(a!, 1);
    const u1 = await order(a!, 1, 'urgent');
    const e1 = await order(a!, 1, 'emergency');
    // One order waiting for two products is listed once.
    const both = uniqueOrderId('both');
    expect(
      (
        await post('/inventory/process_order', {
          order_id: both,
          requested: [
            { product_id: a, quantity: 1 },
            { product_id: b, quantity: 1 },
          ],
        })
      ).status,
    ).toBe(201);

    const forA = await get(`/inventory/orders?status=waiting&product_id=${a}`);
    expect(forA.status).toBe(200);
    expect(ids(forA.body.orders)).toEqual([e1, u1, r1, r2, both]);
    expect(forA.body.next_cursor).toBeNull();
    for (const limit of [1, 2, 4])
      expect(ids(await walk(`status=waiting&product_id=${a}`, limit))).toEqual(ids(forA.body.orders));
    expect(ids((await get(`/inventory/orders?status=waiting&product_id=${a}&priority=routine`)).body.orders)).toEqual([
      r1,
      r2,
      both,
    ]);
    expect(ids((await get(`/inventory/orders?status=waiting&product_id=${b}`)).body.orders)).toEqual([both]);

    // Across every product: the same serve order, each order once, whatever the page size.
    const mine = new Set([r1, r2, u1, e1, both]);
    for (const limit of [1, 3, 100]) {
      expect(ids(await walk('status=waiting', limit)).filter((id) => mine.has(id))).toEqual([e1, u1, r1, r2, both]);
    }
    expect(ids(await walk('status=waiting&priority=emergency', 2)).filter((id) => mine.has(id))).toEqual([e1]);

    // A summary is the order's view without its packages, plus their count.
    const view = (await get(`/inventory/orders/${e1}`)).body;
    const { shipments, ...rest } = view;
    expect(forA.body.orders[0]).toEqual({ ...rest, packages: shipments.length });
  });

  it('moves filled and cancelled orders out of the waiting list and files them, newest first', async () => {
    const [a] = await catalog([400]);
    const r1 = await order(a!, 3);
    const r2 = await order(a!, 2);
    const u1 = await order(a!, 1, 'urgent');
    const e1 = await order(a!, 2, 'emergency');
    // Serves e1 (2), u1 (1), then r1 gets 1 of its 3.
    const restock = await post('/inventory/process_restock', [{ product_id: a, quantity: 4 }]);
    expect(restock.status).toBe(200);
    const cancelled = await post(`/inventory/orders/${r2}/cancel`, { reason: 'ward closed' });
    expect(cancelled.status).toBe(200);

    const waiting = (await get(`/inventory/orders?status=waiting&product_id=${a}`)).body.orders;
    expect(ids(waiting)).toEqual([r1]);
    expect(waiting[0]).toMatchObject({
      status: 'partially_shipped',
      packages: 1,
      backordered: [{ product_id: a, quantity: 2 }],
    });

    await followStream();
    const fulfilled = (await get(`/inventory/orders?status=fulfilled&product_id=${a}`)).body.orders;
    expect(ids(fulfilled)).toEqual([e1, u1]);
    expect(fulfilled[0]).toMatchObject({ status: 'fulfilled', priority: 'emergency', packages: 1, backordered: [] });
    expect(fulfilled[0]).not.toHaveProperty('shipments');
    const gone = (await get(`/inventory/orders?status=cancelled&product_id=${a}`)).body.orders;
    expect(ids(gone)).toEqual([r2]);
    expect(gone[0]).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'ward closed',
      cancelled: [{ product_id: a, quantity: 2 }],
    });
    // Every order of the product, whatever its state, newest first.
    expect(ids(await walk(`product_id=${a}`, 2))).toEqual([e1, u1, r2, r1]);
    expect(ids((await get(`/inventory/orders?product_id=${a}&priority=urgent`)).body.orders)).toEqual([u1]);
    // Following the stream again changes nothing.
    await followStream();
    expect(ids(await walk(`product_id=${a}`, 3))).toEqual([e1, u1, r2, r1]);
  });

  it('files an order its creation fulfils at once, and walks long lists without a repeat or a gap', async () => {
    const [a] = await catalog([100]);
    expect((await post('/inventory/process_restock', [{ product_id: a, quantity: 100 }])).status).toBe(200);
    const placed: string[] = [];
    for (let i = 0; i < 23; i++) placed.push(await order(a!, 1, i % 5 === 0 ? 'urgent' : undefined));
    // No stream follower needed: in the fulfilled list straight away.
    const all = await walk(`status=fulfilled&product_id=${a}`, 1000);
    expect(new Set(ids(all))).toEqual(new Set(placed));
    const created = all.map((o) => o.created_at);
    expect([...created].sort().reverse()).toEqual(created);
    for (const limit of [1, 4, 7]) expect(ids(await walk(`status=fulfilled&product_id=${a}`, limit))).toEqual(ids(all));
    expect(ids(await walk(`product_id=${a}`, 5))).toEqual(ids(all));
    const urgent = placed.filter((_, i) => i % 5 === 0);
    expect(new Set(ids(await walk(`status=fulfilled&product_id=${a}&priority=urgent`, 2)))).toEqual(new Set(urgent));
  });

  it('never repeats or skips an order that waited for the whole walk, while others are served and placed', async () => {
    const [a] = await catalog([100]);
    const before: string[] = [];
    for (let i = 0; i < 24; i++) before.push(await order(a!, 1, i % 4 === 0 ? 'urgent' : undefined));
    for (const [query, limit] of [
      [`status=waiting&product_id=${a}`, 4],
      ['status=waiting', 3],
    ] as const) {
      const seen: string[] = [];
      const placed: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 100; page++) {
        const res: any = await get(
          `/inventory/orders?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(res.status).toBe(200);
        seen.push(...ids(res.body.orders));
        cursor = res.body.next_cursor;
        if (!cursor) break;
        // Between pages: the first waiting order is served, and a new one joins the queue.
        expect((await post('/inventory/process_restock', [{ product_id: a, quantity: 1 }])).status).toBe(200);
        placed.push(await order(a!, 1));
      }
      const waitingNow = new Set(ids(await walk(`status=waiting&product_id=${a}`, 1000)));
      const throughout = before.filter((id) => waitingNow.has(id));
      expect(throughout.length).toBeGreaterThan(0);
      const mine = seen.filter((id) => throughout.includes(id));
      // Each exactly once, in serve order (urgent first, then oldest).
      expect(mine).toEqual(
        [...throughout].sort((x, y) => Number(!x.startsWith('urgent')) - Number(!y.startsWith('urgent'))),
      );
      expect(new Set(seen).size).toBe(seen.length);
      before.push(...placed);
    }
  });

  it('refuses bad parameters with 422 and names an unknown product with 404', async () => {
    const [a] = await catalog([100]);
    for (const [query, path] of [
      ['status=shipped', 'status'],
      ['priority=high', 'priority'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['product_id=abc', 'product_id'],
      ['product_id=-1', 'product_id'],
      ['cursor=not-ours', 'cursor'],
      ['status=waiting&cursor=not-ours', 'cursor'],
    ] as const) {
      const res = await get(`/inventory/orders?${query}`);
      expect(res.status, query).toBe(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(
        res.body.errors.map((e: any) => e.path),
        query,
      ).toContain(path);
    }
    // Every bad parameter at once.
    const many = await get('/inventory/orders?status=x&priority=y&limit=z');
    expect(many.body.errors.map((e: any) => e.path).sort()).toEqual(['limit', 'priority', 'status']);
    // A cursor of one list is not one of another.
    await order(a!, 1);
    await order(a!, 1);
    const waitingPage = await get(`/inventory/orders?status=waiting&product_id=${a}&limit=1`);
    expect(waitingPage.body.next_cursor).not.toBeNull();
    const crossed = await get(
      `/inventory/orders?status=fulfilled&cursor=${encodeURIComponent(waitingPage.body.next_cursor)}`,
    );
    expect(crossed.status).toBe(422);
    expect((await get('/inventory/orders?product_id=987654321987')).status).toBe(404);
    const head = await call('HEAD', `/inventory/orders?status=waiting&product_id=${a}`);
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
  });
});
