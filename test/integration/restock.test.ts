/** process_restock over HTTP and EventBridge: rules 4, 6, 7, 8 and the restock answer. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient, tableName } from '../../functions/commons/dynamodb.js';
import { createTestTable } from '../support/dynamodb.js';
import { catalog, get, post, productsById, runSweeper, sendRestockEvent, uniqueOrderId } from '../support/api.js';
import { readState, violations } from '../support/invariants.js';

const order = (requested: Array<[number, number]>, order_id: string | number = uniqueOrderId()) =>
  post('/inventory/process_order', {
    order_id,
    requested: requested.map(([product_id, quantity]) => ({ product_id, quantity })),
  });
const restock = (lines: Array<[number, number]>, headers: Record<string, string> = {}) =>
  post(
    '/inventory/process_restock',
    lines.map(([product_id, quantity]) => ({ product_id, quantity })),
    headers,
  );

describe('process_restock', () => {
  beforeAll(async () => {
    await createTestTable('restock');
  });

  it('fills waiting orders oldest first for each product (rule 4)', async () => {
    const [a] = await catalog([100]);
    const first = uniqueOrderId('first');
    const second = uniqueOrderId('second');
    const third = uniqueOrderId('third');
    await order([[a!, 3]], first);
    await order([[a!, 3]], second);
    await order([[a!, 3]], third);
    const res = await restock([[a!, 5]]);
    expect(res.status).toBe(200);
    expect(res.body.restocked).toEqual([{ product_id: a, quantity: 5, lot: null }]);
    const shippedTo = res.body.shipments.reduce(
      (m: Map<string, number>, s: any) => m.set(s.order_id, (m.get(s.order_id) ?? 0) + s.shipped[0].quantity),
      new Map(),
    );
    expect(Object.fromEntries(shippedTo)).toEqual({ [first]: 3, [second]: 2 });
    expect((await get(`/inventory/orders/${third}`)).body.status).toBe('backordered');
    expect((await productsById()).get(a)).toMatchObject({ quantity: 0, backordered: 4 });
    expect(violations(await readState())).toEqual([]);
  });

  it('packs everything one restock ships to one order together (rule 2)', async () => {
    const [a, b] = await catalog([900, 900]);
    const id = uniqueOrderId();
    await order(
      [
        [a!, 1],
        [b!, 1],
      ],
      id,
    );
    const res = await restock([
      [a!, 1],
      [b!, 1],
    ]);
    // One package of 1800 g, not one per product.
    expect(res.body.shipments).toHaveLength(1);
    expect(res.body.shipments[0]).toMatchObject({ order_id: id, mass_g: 1800 });
  });

  it('puts leftover stock on hand once no order waits (rule 8)', async () => {
    const [a] = await catalog([100]);
    await order([[a!, 2]]);
    await restock([[a!, 10]]);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 8, backordered: 0 });
  });

  it('answers a replayed Idempotency-Key with the first answer and changes nothing (rule 6)', async () => {
    const [a] = await catalog([100]);
    await order([[a!, 2]]);
    const key = { 'idempotency-key': `k-${uniqueOrderId()}` };
    const first = await restock([[a!, 4]], key);
    expect(first.body.shipments).toHaveLength(1);
    const again = await post(
      '/inventory/process_restock',
      [
        { product_id: a, quantity: 1 },
        { product_id: a, quantity: 3 },
      ],
      key,
    );
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 2 });
    const different = await restock([[a!, 5]], key);
    expect(different.status).toBe(409);
    expect(different.headers['content-type']).toBe('application/problem+json');
    expect((await productsById()).get(a)).toMatchObject({ quantity: 2 });
  });

  it('applies a restock once when requests with the same key race (rule 6)', async () => {
    const [a] = await catalog([100]);
    const key = { 'idempotency-key': `race-${uniqueOrderId()}` };
    const results = await Promise.all(Array.from({ length: 12 }, () => restock([[a!, 4]], key)));
    // Each racer either gets the answer or is told the first request is still in progress.
    for (const r of results) expect([200, 409]).toContain(r.status);
    expect(results.some((r) => r.status === 200)).toBe(true);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 4 });
  });

  it('answers 409 request-in-progress with Retry-After while the first request holds the key', async () => {
    const [a] = await catalog([100]);
    const key = `busy-${uniqueOrderId()}`;
    // The state a first request leaves while it is still at work: record created, lease running.
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          pk: `RESTOCK#key:${key}`,
          sk: 'RESTOCK',
          restock_key: `key:${key}`,
          lines: { [String(a)]: 4 },
          status: 'applying',
          parts_total: 1,
          parts_applied: { '0': true },
          lease_until: Date.now() + 30_000,
          created_at: new Date().toISOString(),
        },
      }),
    );
    const res = await restock([[a!, 4]], { 'idempotency-key': key });
    expect(res.status).toBe(409);
    expect(res.body.type).toMatch(/request-in-progress$/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 0 });
  });

  it('finishes a restock whose first request died, applying its stock once', async () => {
    const [a, b] = await catalog([100, 100]);
    const key = `dead-${uniqueOrderId()}`;
    // The first request applied its only part (a: 4) and died before draining; its lease is over.
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          pk: `RESTOCK#key:${key}`,
          sk: 'RESTOCK',
          restock_key: `key:${key}`,
          lines: { [String(a)]: 4, [String(b)]: 1 },
          status: 'applying',
          parts_total: 1,
          parts_applied: { '0': true },
          lease_until: Date.now() - 1,
          created_at: new Date().toISOString(),
        },
      }),
    );
    const res = await restock(
      [
        [a!, 4],
        [b!, 1],
      ],
      { 'idempotency-key': key },
    );
    expect(res.status).toBe(200);
    // Part 0 was already applied by the dead request, so the replay must not apply it again.
    expect((await productsById()).get(a)).toMatchObject({ quantity: 0 });
  });

  it('refuses an unknown product with 404 and changes nothing (rule 7)', async () => {
    const [a] = await catalog([100]);
    const res = await restock([
      [a!, 4],
      [88_888_888, 1],
    ]);
    expect(res.status).toBe(404);
    expect(res.body.errors).toEqual([{ path: '[1].product_id', message: expect.stringContaining('88888888') }]);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 0 });
  });

  it('applies a restock of 1000 products (several transactions) exactly once', async () => {
    const ids = await catalog(Array.from({ length: 1000 }, () => 1));
    const res = await restock(
      ids.map((id) => [id, 2] as [number, number]),
      { 'idempotency-key': `big-${uniqueOrderId()}` },
    );
    expect(res.status).toBe(200);
    const products = await productsById();
    expect(ids.every((id) => (products.get(id) as any).quantity === 2)).toBe(true);
  });

  it('accepts Restock events from EventBridge, the event id as idempotency key', async () => {
    const [a] = await catalog([100]);
    const id = uniqueOrderId('evt');
    await sendRestockEvent([{ product_id: a, quantity: 3 }], id);
    await sendRestockEvent([{ product_id: a, quantity: 3 }], id);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 3 });
    await sendRestockEvent([{ product_id: a, quantity: 1 }], id); // same id, other body: refused, logged
    expect((await productsById()).get(a)).toMatchObject({ quantity: 3 });
    await sendRestockEvent([{ product_id: 77_777_777, quantity: 1 }]); // unknown product: dropped
    expect((await productsById()).get(a)).toMatchObject({ quantity: 3 });
  });

  it('applies Restock events only from the configured source (RESTOCK_EVENT_SOURCE), dropping others', async () => {
    const [a] = await catalog([100]);
    vi.stubEnv('RESTOCK_EVENT_SOURCE', 'warehouse.restock');
    try {
      await sendRestockEvent([{ product_id: a, quantity: 5 }], uniqueOrderId('evt'), 'someone.else');
      expect((await productsById()).get(a)).toMatchObject({ quantity: 0 });
      await sendRestockEvent([{ product_id: a, quantity: 5 }], uniqueOrderId('evt'), 'warehouse.restock');
      expect((await productsById()).get(a)).toMatchObject({ quantity: 5 });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('hands a drain cut short by its time budget to the sweeper (draining: true, rule 8)', async () => {
    const [a] = await catalog([100]);
    const older = uniqueOrderId('w1');
    await order([[a!, 2]], older);
    await order([[a!, 2]]);
    process.env.DRAIN_BUDGET_MS = '0';
    let res: Awaited<ReturnType<typeof restock>>;
    try {
      res = await restock([[a!, 3]], { 'idempotency-key': `drain-${older}` });
    } finally {
      delete process.env.DRAIN_BUDGET_MS;
    }
    expect(res.body.draining).toBe(true);
    expect(res.body.shipments).toEqual([]);
    expect(violations(await readState(), { idle: false })).toEqual([]);
    await runSweeper();
    expect((await get(`/inventory/orders/${older}`)).body.status).toBe('fulfilled');
    expect((await productsById()).get(a)).toMatchObject({ quantity: 0, backordered: 1 });
    expect(violations(await readState())).toEqual([]);
  });
});
