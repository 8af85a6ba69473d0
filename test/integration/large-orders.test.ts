/**
 * Changes larger than one TransactWriteItems (100 items): orders of 100 lines and restocks that
 * fill many lines of one order, done in parts and packed once (rule 2), and resumed by the
 * sweeper when the request died between parts (rule 8).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../functions/commons/dynamodb.js';
import { logger } from '../../functions/commons/logger.js';
import { createTestTable } from '../support/dynamodb.js';
import { catalog, get, post, runSweeper, uniqueOrderId } from '../support/api.js';
import { dieAfterTransactions } from '../support/faulty-client.js';
import { readState, violations } from '../support/invariants.js';

const restock = async (lines: Array<[number, number]>) => {
  const res = await post(
    '/inventory/process_restock',
    lines.map(([product_id, quantity]) => ({ product_id, quantity })),
  );
  expect(res.status).toBe(200);
  return res.body;
};

describe('large orders', () => {
  beforeAll(async () => {
    await createTestTable('large');
  });

  it('an order of 100 lines, more than one transaction holds, ships what is on hand in one packing', async () => {
    const ids = await catalog(Array.from({ length: 100 }, (_, i) => 10 + i));
    await restock(ids.slice(0, 60).map((id) => [id, 2] as [number, number]));
    const id = uniqueOrderId('big');
    const res = await post('/inventory/process_order', {
      order_id: id,
      requested: ids.map((product_id) => ({ product_id, quantity: 2 })),
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('partially_shipped');
    expect(res.body.shipped).toHaveLength(60);
    expect(res.body.backordered).toHaveLength(40);
    const units = res.body.shipments.flatMap((s: any) => s.shipped).reduce((n: number, l: any) => n + l.quantity, 0);
    expect(units).toBe(120);
    // All shipped at once: packed together (one shipment event), total mass / 1800 rounded up is the floor.
    const mass = ids.slice(0, 60).reduce((m, _id, i) => m + 2 * (10 + i), 0);
    expect(res.body.shipments.length).toBe(Math.ceil(mass / 1800));
    await restock(ids.slice(60).map((id) => [id, 2] as [number, number]));
    expect((await get(`/inventory/orders/${id}`)).body.status).toBe('fulfilled');
    expect(violations(await readState())).toEqual([]);
  });

  it('a restock filling all 100 lines of one order ships them in one packing', async () => {
    const ids = await catalog(Array.from({ length: 100 }, () => 600));
    const id = uniqueOrderId('wide');
    const created = await post('/inventory/process_order', {
      order_id: id,
      requested: ids.map((product_id) => ({ product_id, quantity: 1 })),
    });
    expect(created.body.status).toBe('backordered');
    const answer = await restock(ids.map((p) => [p, 1] as [number, number]));
    // 100 units of 600 g: 3 to a box, so 34 boxes when packed together (per part it would be more).
    expect(answer.shipments).toHaveLength(34);
    expect(new Set(answer.shipments.map((s: any) => s.shipment_id.split('-')[0])).size).toBe(1);
    const view = await get(`/inventory/orders/${id}`);
    expect(view.body.status).toBe('fulfilled');
    expect(view.body.shipments).toHaveLength(34);
    expect(violations(await readState())).toEqual([]);
  });

  it('the sweeper finishes a large order whose creation died after its first write', async () => {
    const ids = await catalog([100, 200, 300]);
    await restock([
      [ids[0]!, 5],
      [ids[1]!, 5],
    ]);
    const orderKey = uniqueOrderId('cut');
    // What createLargeOrder leaves when the function dies right after creating the order item.
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          pk: `ORDER#${orderKey}`,
          sk: 'ORDER',
          order_id: orderKey,
          order_key: orderKey,
          created_at: new Date().toISOString(),
          queue_key: `2#${String(Date.now()).padStart(15, '0')}#${orderKey}`,
          requested: { [ids[0]!]: 2, [ids[1]!]: 7, [ids[2]!]: 1 },
          part_lines: 49,
          parts_done: 0,
          parts_total: 1,
          attention_pk: 'ATTN#0',
          attention_sk: `${new Date(Date.now() - 1000).toISOString()}#ORDER#${orderKey}`,
        },
      }),
    );
    expect((await get(`/inventory/orders/${orderKey}`)).body.status).toBe('backordered');
    await runSweeper();
    const view = await get(`/inventory/orders/${orderKey}`);
    expect(view.body.status).toBe('partially_shipped');
    expect(view.body.shipped).toEqual([
      { product_id: ids[0], quantity: 2 },
      { product_id: ids[1], quantity: 5 },
    ]);
    expect(view.body.backordered).toEqual([
      { product_id: ids[1], quantity: 2 },
      { product_id: ids[2], quantity: 1 },
    ]);
    // 2 x 100 + 5 x 200 = 1200 g: one box.
    expect(view.body.shipments).toHaveLength(1);
    expect(violations(await readState())).toEqual([]);
  });

  it('a restock that died after filling every line of an order in parts, before packing them, is packed by its replay', async () => {
    const ids = await catalog(Array.from({ length: 50 }, () => 600));
    const id = uniqueOrderId('unpacked');
    const created = await post('/inventory/process_order', {
      order_id: id,
      requested: ids.map((product_id) => ({ product_id, quantity: 1 })),
    });
    expect(created.body.status).toBe('backordered');
    const body = ids.map((product_id) => ({ product_id, quantity: 1 }));
    const key = { 'idempotency-key': `unpacked-${id}` };
    const lease = process.env.RESTOCK_LEASE_MS;
    process.env.RESTOCK_LEASE_MS = '1';
    try {
      // The stock, then the fill's two parts (48 + 2 lines) commit; the request dies before packing.
      const restore = dieAfterTransactions(3);
      logger.setLogLevel('SILENT');
      try {
        expect((await post('/inventory/process_restock', body, key)).status).toBe(500);
      } finally {
        restore();
        logger.setLogLevel('ERROR');
      }
      await new Promise((r) => setTimeout(r, 5));
      const replay = await post('/inventory/process_restock', body, key);
      expect(replay.status).toBe(200);
      // Nothing waits any more, so the replay's drain fills nothing: it packs what the dead request
      // left, in one packing (50 units of 600 g: 17 boxes), and lists it in its answer.
      expect(replay.body.shipments).toHaveLength(17);
      expect(new Set(replay.body.shipments.map((s: any) => s.shipment_id.split('-')[0])).size).toBe(1);
    } finally {
      if (lease === undefined) delete process.env.RESTOCK_LEASE_MS;
      else process.env.RESTOCK_LEASE_MS = lease;
    }
    expect((await get(`/inventory/orders/${id}`)).body.shipments).toHaveLength(17);
    expect(violations(await readState())).toEqual([]);
  });
});

describe('the largest requests the limits allow', () => {
  beforeAll(async () => {
    await createTestTable('largest');
  });

  it('an order of 10,000 units in 100 lines, one package each, answers 201 with every package', async () => {
    const ids = await catalog(Array.from({ length: 100 }, () => 1800));
    await restock(ids.map((id) => [id, 100] as [number, number]));
    const id = uniqueOrderId('heaviest');
    const started = Date.now();
    const res = await post('/inventory/process_order', {
      order_id: id,
      requested: ids.map((product_id) => ({ product_id, quantity: 100 })),
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('fulfilled');
    expect(res.body.shipments).toHaveLength(10_000);
    expect(new Set(res.body.shipments.map((s: any) => s.shipment_id)).size).toBe(10_000);
    // Lambda answers at most 6 MB.
    expect(JSON.stringify(res.body).length).toBeLessThan(6 * 1024 * 1024);
    expect((await get(`/inventory/orders/${id}`)).body).toEqual(res.body);
    expect(violations(await readState())).toEqual([]);
    // Not a timing test: a guard against the 54 s this once took, far above any normal run.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('a restock whose fills would pass 10,000 packages answers the first 10,000 and drains the rest', async () => {
    const [heavy] = await catalog([1800]);
    const orders = [uniqueOrderId('a'), uniqueOrderId('b'), uniqueOrderId('c')];
    for (const order_id of orders) {
      const res = await post('/inventory/process_order', {
        order_id,
        requested: [{ product_id: heavy, quantity: 4_000 }],
      });
      expect(res.body.status).toBe('backordered');
    }
    const answer = await restock([[heavy!, 12_000]]);
    // Two orders of 4,000 packages fit; the third would make 12,000.
    expect(answer.draining).toBe(true);
    expect(answer.shipments).toHaveLength(8_000);
    expect(new Set(answer.shipments.map((s: any) => s.order_id))).toEqual(new Set(orders.slice(0, 2)));
    await runSweeper();
    expect((await get(`/inventory/orders/${orders[2]}`)).body.status).toBe('fulfilled');
    expect(violations(await readState())).toEqual([]);
  });

  it('a restock whose answer would pass 4 MiB answers the packages that fit and drains the rest', async () => {
    // 1000 + 500 + 300 g fill a box exactly, so each order ships 3,333 boxes of 3 lines: under
    // 10,000 packages in all, but with 128-character order ids over the 4 MiB answer budget.
    const [a, b, c] = await catalog([1000, 500, 300]);
    const orders = ['a', 'b', 'c'].map((p) => uniqueOrderId(p).padEnd(128, 'x'));
    for (const order_id of orders) {
      const res = await post('/inventory/process_order', {
        order_id,
        requested: [a, b, c].map((product_id) => ({ product_id, quantity: 3_333 })),
      });
      expect(res.body.status).toBe('backordered');
    }
    const answer = await restock([a!, b!, c!].map((p) => [p, 9_999] as [number, number]));
    expect(answer.draining).toBe(true);
    expect(answer.shipments).toHaveLength(6_666);
    expect(new Set(answer.shipments.map((s: any) => s.order_id))).toEqual(new Set(orders.slice(0, 2)));
    await runSweeper();
    expect((await get(`/inventory/orders/${orders[2]}`)).body.status).toBe('fulfilled');
    expect(violations(await readState())).toEqual([]);
  });
});
