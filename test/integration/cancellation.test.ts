/**
 * Cancellation (SPEC v2 "Cancellation"), through the real handlers on DynamoDB Local: every unit
 * not shipped stops waiting, packages shipped stay shipped, a cancelled order is cancelled again
 * with no change, a fulfilled one answers 409 order-complete; and a cancellation racing a fill of
 * the same order is atomic, each unit shipped or cancelled, never both and never neither (forced
 * both ways at the client). A cancellation too large for one transaction goes in parts, and the
 * sweeper finishes one cut short.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, setDocumentClient, tableName } from '../../functions/commons/dynamodb.js';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { attentionAttributes, orderKeyOf } from '../../functions/store/keys.js';
import { call, catalog, get, post, productsById, runSweeper, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { dieAfterTransactions } from '../support/faulty-client.js';
import { beforeTransaction } from '../support/interleave.js';
import { readState, violations } from '../support/invariants.js';

const order = (lines: Array<[number, number]>, order_id = uniqueOrderId('c')) =>
  post('/inventory/process_order', {
    order_id,
    requested: lines.map(([product_id, quantity]) => ({ product_id, quantity })),
  });
const cancel = (orderId: string | number, body?: unknown) =>
  body === undefined
    ? call('POST', `/inventory/orders/${orderId}/cancel`)
    : post(`/inventory/orders/${orderId}/cancel`, body);
const restock = (product_id: number, quantity: number) =>
  post('/inventory/process_restock', [{ product_id, quantity }]);
/** Every unit of the order is shipped, waiting or cancelled, exactly once. */
function accountsFor(view: any): void {
  for (const { product_id, quantity } of view.requested) {
    const of = (lines: any[]) => lines.find((l) => l.product_id === product_id)?.quantity ?? 0;
    expect(of(view.shipped) + of(view.backordered) + of(view.cancelled), `product ${product_id}`).toBe(quantity);
  }
}

/** The sweeper looks at the order now rather than when the cancellation's lease ends. */
async function markOrderDueNow(orderKey: string): Promise<void> {
  const key = orderKeyOf(orderKey);
  const mark = attentionAttributes(key.pk, new Date().toISOString());
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET attention_pk = :p, attention_sk = :s',
      ExpressionAttributeValues: { ':p': mark.attention_pk, ':s': mark.attention_sk },
    }),
  );
}

let real: DynamoDBDocumentClient;
beforeAll(async () => {
  await createTestTable('cancellation');
  real = documentClient();
});
afterEach(() => setDocumentClient(real));

describe('cancelling an order', () => {
  it('cancels every unit not shipped; shipped packages stay; the product stops counting them', async () => {
    const [a, b] = (await catalog([300, 500])) as [number, number];
    await restock(a, 2);
    const placed = (
      await order([
        [a, 5],
        [b, 1],
      ])
    ).body;
    expect(placed.status).toBe('partially_shipped');
    const res = await cancel(placed.order_id, { reason: 'patient transferred' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      order_id: placed.order_id,
      status: 'cancelled',
      shipped: [{ product_id: a, quantity: 2 }],
      backordered: [],
      cancelled: [
        { product_id: a, quantity: 3 },
        { product_id: b, quantity: 1 },
      ],
      cancel_reason: 'patient transferred',
    });
    expect(res.body.shipments).toHaveLength(placed.shipments.length);
    expect(Date.parse(res.body.cancelled_at)).toBeGreaterThanOrEqual(Date.parse(placed.created_at));
    accountsFor(res.body);
    expect((await get(`/inventory/orders/${placed.order_id}`)).body).toEqual(res.body);
    const products = await productsById();
    expect(products.get(a)).toMatchObject({ quantity: 0, backordered: 0 });
    expect(products.get(b)).toMatchObject({ quantity: 0, backordered: 0 });
    // A later restock does not reach it: the units stay on hand.
    expect((await restock(a, 4)).body.shipments).toEqual([]);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 4 });
    expect(violations(await readState())).toEqual([]);
  });

  it('cancelling again changes nothing and answers the same view (the first reason kept); no body is fine', async () => {
    const [a] = (await catalog([300])) as [number];
    const placed = (await order([[a, 3]])).body;
    const first = await cancel(placed.order_id);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'cancelled', cancel_reason: null });
    const again = await cancel(placed.order_id, { reason: 'second thoughts' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('a fulfilled order answers 409 order-complete; an unknown one 404; a bad body 400 or 422, changing nothing', async () => {
    const [a] = (await catalog([300])) as [number];
    await restock(a, 2);
    const fulfilled = (await order([[a, 2]])).body;
    const complete = await cancel(fulfilled.order_id);
    expect(complete.status).toBe(409);
    expect(complete.body.type).toMatch(/\/order-complete$/);
    expect((await cancel('no-such-order')).status).toBe(404);
    const waiting = (await order([[a, 1]])).body;
    expect((await cancel(waiting.order_id, { reason: 7 })).status).toBe(400);
    const long = await cancel(waiting.order_id, { reason: 'x'.repeat(501) });
    expect(long.status).toBe(422);
    expect(long.body.errors).toEqual([
      { path: 'reason', message: 'must be a string of 0 to 500 characters; it has 501' },
    ]);
    expect((await get(`/inventory/orders/${waiting.order_id}`)).body.status).toBe('backordered');
  });

  it('an order of more waiting lines than one transaction holds is cancelled in parts', async () => {
    const ids = await catalog(Array.from({ length: 60 }, () => 100));
    const placed = (await order(ids.map((id) => [id, 2]))).body;
    const res = await cancel(placed.order_id);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.cancelled).toHaveLength(60);
    accountsFor(res.body);
    expect(violations(await readState())).toEqual([]);
  });

  it('a cancellation in parts cut short by a dying function is finished by the sweeper', async () => {
    const ids = await catalog(Array.from({ length: 60 }, () => 100));
    const placed = (await order(ids.map((id) => [id, 1]))).body;
    const restore = dieAfterTransactions(1);
    expect((await cancel(placed.order_id)).status).toBe(500);
    restore();
    const half = (await get(`/inventory/orders/${placed.order_id}`)).body;
    expect(half.cancelled.length).toBeGreaterThan(0);
    expect(half.backordered.length).toBeGreaterThan(0);
    await markOrderDueNow(placed.order_id);
    await runSweeper();
    const done = (await get(`/inventory/orders/${placed.order_id}`)).body;
    expect(done).toMatchObject({ status: 'cancelled', backordered: [], cancelled_at: half.cancelled_at });
    expect(done.cancelled).toHaveLength(60);
    expect(violations(await readState())).toEqual([]);
  });
});

describe('a cancellation racing a fill: each unit shipped or cancelled, never both', () => {
  const isFill = (items: any[]) =>
    items.some((i) => String(i.Update?.UpdateExpression).includes('on_hand = on_hand - :q'));
  const isCancel = (items: any[]) => items.some((i) => String(i.Put?.Item?.sk ?? '').startsWith('CANCEL#'));

  it('the cancellation commits first: the fill finds the entry gone, and the units go to the next order', async () => {
    const [a] = (await catalog([300])) as [number];
    const first = (await order([[a, 3]])).body;
    const next = (await order([[a, 3]])).body;
    let cancelled: any;
    beforeTransaction(isFill, async () => {
      cancelled = await cancel(first.order_id);
    });
    const res = await restock(a, 3);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelled: [{ product_id: a, quantity: 3 }] });
    expect(res.body.shipments.map((s: any) => s.order_id)).toEqual([next.order_id]);
    accountsFor((await get(`/inventory/orders/${first.order_id}`)).body);
    expect(violations(await readState())).toEqual([]);
  });

  it('the fill commits first: the cancellation cancels only what still waits', async () => {
    const [a] = (await catalog([300])) as [number];
    const placed = (await order([[a, 5]])).body;
    let restocked: any;
    beforeTransaction(isCancel, async () => {
      restocked = await restock(a, 2);
    });
    const res = await cancel(placed.order_id);
    expect(restocked.body.shipments.map((s: any) => s.order_id)).toEqual([placed.order_id]);
    expect(res.body).toMatchObject({
      status: 'cancelled',
      shipped: [{ product_id: a, quantity: 2 }],
      cancelled: [{ product_id: a, quantity: 3 }],
    });
    accountsFor(res.body);
    expect(violations(await readState())).toEqual([]);
  });
});
