/**
 * Priorities and the emergency reserve (SPEC rules 4 and 8), through the real handlers on
 * DynamoDB Local: waiting orders are served by priority, then oldest first; a new order never
 * receives a unit while one of the same or a higher priority waits; urgent and routine orders
 * never take the reserve; lowering a reserve fills the orders it held back. Races are forced at
 * the client, so the guards (not the plans) are what is tested there.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, setDocumentClient } from '../../functions/commons/dynamodb.js';
import { getProducts } from '../../functions/store/catalog-store.js';
import { rememberProducts } from '../../functions/use-cases/catalog-cache.js';
import { catalog, get, post, productsById, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { beforeTransaction } from '../support/interleave.js';
import { readState, violations } from '../support/invariants.js';

type Priority = 'emergency' | 'urgent' | 'routine';

const order = (product_id: number, quantity: number, priority?: Priority, order_id = uniqueOrderId(priority)) =>
  post('/inventory/process_order', {
    order_id,
    ...(priority ? { priority } : {}),
    requested: [{ product_id, quantity }],
  });
const restock = (product_id: number, quantity: number) =>
  post('/inventory/process_restock', [{ product_id, quantity }]);
const setReserve = (product_id: number, emergency_reserve: number, mass_g = 300) =>
  post('/inventory/init_catalog', [{ product_id, product_name: `P${product_id}`, mass_g, emergency_reserve }]);
const statusOf = async (orderId: string) => (await get(`/inventory/orders/${orderId}`)).body;

let real: DynamoDBDocumentClient;
beforeAll(async () => {
  await createTestTable('priorities');
  real = documentClient();
});
afterEach(() => setDocumentClient(real));

describe('serve order: priority, then oldest first (rule 4)', () => {
  it('a restock serves a newer emergency order before older urgent and routine ones', async () => {
    const [p] = (await catalog([300])) as [number];
    const routine = (await order(p, 2)).body;
    const urgent = (await order(p, 2, 'urgent')).body;
    const emergency = (await order(p, 2, 'emergency')).body;
    expect([routine, urgent, emergency].map((o) => [o.priority, o.status])).toEqual([
      ['routine', 'backordered'],
      ['urgent', 'backordered'],
      ['emergency', 'backordered'],
    ]);
    const res = await restock(p, 3);
    // Emergency first (2), then urgent (1 of 2); routine waits.
    const shipped = new Map<string, number>();
    for (const s of res.body.shipments) shipped.set(s.order_id, (shipped.get(s.order_id) ?? 0) + s.shipped[0].quantity);
    expect(Object.fromEntries(shipped)).toEqual({ [emergency.order_id]: 2, [urgent.order_id]: 1 });
    expect((await statusOf(routine.order_id)).status).toBe('backordered');
    expect(violations(await readState())).toEqual([]);
  });

  it('a new order never receives a unit while one of the same or a higher priority waits', async () => {
    const [p] = (await catalog([300])) as [number];
    // An urgent order waits for 3 of 5; a restock of 2 arrives while the reserve holds them back.
    await setReserve(p, 2);
    const waitingUrgent = (await order(p, 5, 'urgent')).body;
    expect(waitingUrgent.status).toBe('backordered');
    expect((await restock(p, 2)).body.shipments).toEqual([]);
    // 2 on hand, all reserve: urgent and routine orders wait behind it; an emergency takes it.
    expect((await order(p, 1, 'urgent')).body.status).toBe('backordered');
    expect((await order(p, 1)).body.status).toBe('backordered');
    const emergency = (await order(p, 3, 'emergency')).body;
    expect(emergency.shipped).toEqual([{ product_id: p, quantity: 2 }]);
    expect(emergency.backordered).toEqual([{ product_id: p, quantity: 1 }]);
    // Now an emergency waits: the next emergency queues behind it.
    const next = (await order(p, 1, 'emergency')).body;
    expect(next.status).toBe('backordered');
    // One unit restocked, under the reserve: still the first emergency's (the reserve is theirs).
    const res = await restock(p, 1);
    expect(res.body.shipments.map((s: any) => s.order_id)).toEqual([emergency.order_id]);
    expect((await statusOf(next.order_id)).status).toBe('backordered');
    expect(violations(await readState())).toEqual([]);
  });
});

describe('the emergency reserve', () => {
  it('urgent and routine orders take only units above it; emergency orders take every unit', async () => {
    const [p] = (await catalog([300])) as [number];
    await setReserve(p, 4);
    await restock(p, 10);
    const routine = (await order(p, 8)).body;
    expect(routine.shipped).toEqual([{ product_id: p, quantity: 6 }]);
    expect(routine.backordered).toEqual([{ product_id: p, quantity: 2 }]);
    expect((await productsById()).get(p)).toMatchObject({ quantity: 4, emergency_reserve: 4, backordered: 2 });
    const emergency = (await order(p, 4, 'emergency')).body;
    expect(emergency.status).toBe('fulfilled');
    expect((await productsById()).get(p)).toMatchObject({ quantity: 0, backordered: 2 });
    // A restock refills the reserve before it serves urgent and routine orders.
    const res = await restock(p, 5);
    expect(res.body.shipments.map((s: any) => s.shipped[0].quantity)).toEqual([1]);
    expect((await productsById()).get(p)).toMatchObject({ quantity: 4, backordered: 1 });
    expect(violations(await readState())).toEqual([]);
  });

  it('lowering it while orders wait ships the freed units before the answer (rule 8); raising it ships nothing', async () => {
    const [p] = (await catalog([300])) as [number];
    await setReserve(p, 6);
    await restock(p, 6);
    const first = (await order(p, 3)).body;
    const second = (await order(p, 3, 'urgent')).body;
    expect([first.status, second.status]).toEqual(['backordered', 'backordered']);
    const lowered = await setReserve(p, 2);
    expect(lowered.status).toBe(201);
    // 4 units freed: the urgent order first (3), then 1 of the routine order's 3.
    expect(lowered.body.products[0]).toMatchObject({ emergency_reserve: 2, quantity: 2, backordered: 2 });
    expect((await statusOf(second.order_id)).status).toBe('fulfilled');
    expect((await statusOf(first.order_id)).shipped).toEqual([{ product_id: p, quantity: 1 }]);
    const raised = await setReserve(p, 5);
    expect(raised.body.products[0]).toMatchObject({ emergency_reserve: 5, quantity: 2, backordered: 2 });
    // Re-sending the product without a reserve keeps it.
    const renamed = await post('/inventory/init_catalog', [{ product_id: p, product_name: 'renamed', mass_g: 300 }]);
    expect(renamed.body.products[0]).toMatchObject({ product_name: 'renamed', emergency_reserve: 5 });
    expect(violations(await readState())).toEqual([]);
  });
});

describe('replays compare the priority', () => {
  it('the same lines and priority replay (absent is routine); another priority is 409', async () => {
    const [p] = (await catalog([300])) as [number];
    const id = uniqueOrderId('replay');
    expect((await order(p, 1, undefined, id)).status).toBe(201);
    expect((await order(p, 1, 'routine', id)).status).toBe(200);
    const other = await order(p, 1, 'emergency', id);
    expect(other.status).toBe(409);
    expect(other.body.detail).toContain('priority');
  });

  it('refuses an unknown priority (422) or one of the wrong type (400), changing nothing', async () => {
    const [p] = (await catalog([300])) as [number];
    const bad = await post('/inventory/process_order', {
      priority: 'stat',
      requested: [{ product_id: p, quantity: 1 }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([{ path: 'priority', message: 'must be one of emergency, urgent, routine' }]);
    const wrongType = await post('/inventory/process_order', {
      priority: 1,
      requested: [{ product_id: p, quantity: 1 }],
    });
    expect(wrongType.status).toBe(400);
    const reserve = await post('/inventory/init_catalog', [
      { product_id: p, product_name: 'x', mass_g: 300, emergency_reserve: 1_000_001 },
    ]);
    expect(reserve.status).toBe(422);
    expect((await productsById()).get(p)).toMatchObject({
      product_name: `P${p}`,
      emergency_reserve: 0,
      backordered: 0,
    });
  });
});

describe('guards under races', () => {
  it('an order planned on a stale hint (nobody waiting) still queues behind a waiting emergency', async () => {
    const [p] = (await catalog([300])) as [number];
    const waiting = (await order(p, 2, 'emergency')).body;
    await restock(p, 1);
    // This function now believes nobody waits and 1 unit is on hand (as another function would).
    const now = (await getProducts([p])).get(p)!;
    expect(now).toMatchObject({ on_hand: 0, backordered_emergency: 1 });
    rememberProducts([{ ...now, on_hand: 1, backordered: 0, backordered_emergency: 0 }]);
    const late = (await order(p, 1, 'emergency')).body;
    expect(late.status).toBe('backordered');
    expect((await statusOf(waiting.order_id)).shipped).toEqual([{ product_id: p, quantity: 1 }]);
    expect(violations(await readState())).toEqual([]);
  });

  it('an emergency that starts waiting while a drain fills routine orders is served before them', async () => {
    const [p] = (await catalog([300])) as [number];
    const first = (await order(p, 5, 'emergency')).body;
    const routine = (await order(p, 3)).body;
    // The drain plans 5 for the emergency and 1 for the routine order; just before it commits,
    // a second emergency order starts waiting (an emergency already waits, so it may not take).
    let second: any;
    beforeTransaction(
      (items) => items.some((i) => String(i.Update?.UpdateExpression).includes('backordered - :q')),
      async () => {
        second = (await order(p, 2, 'emergency')).body;
      },
    );
    const res = await restock(p, 6);
    expect(second.status).toBe('backordered');
    const shipped = Object.fromEntries(res.body.shipments.map((s: any) => [s.order_id, s.shipped[0].quantity]));
    expect(shipped).toEqual({ [first.order_id]: 5, [second.order_id]: 1 });
    expect((await statusOf(routine.order_id)).status).toBe('backordered');
    expect(violations(await readState())).toEqual([]);
  });
});
