/**
 * Races forced at the exact moment that matters: a restock lands between an order's read of
 * the stock and its write. The order's write conditions must notice, or stock would be left
 * on hand next to a waiting order (rule 8) with nobody left to drain it. Likewise a catalog
 * change between a write's packing and its commit: the write must notice the new mass (rule 1),
 * a drain between another drain's read of the stock and its fills (rule 5), a retried large
 * order finishing its creation while the first request is still at it (rules 2 and 6), and an
 * explicit product id taken while a catalog request is about to create it under an assigned id.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, setDocumentClient } from '../../functions/commons/dynamodb.js';
import { logger } from '../../functions/commons/logger.js';
import { markProductsDueNow } from '../../functions/store/attention-store.js';
import { createTestTable } from '../support/dynamodb.js';
import { get, post, productIds, productsById, runSweeper, uniqueOrderId } from '../support/api.js';
import { dieAfterTransactions } from '../support/faulty-client.js';
import { beforeCommand, beforeTransaction } from '../support/interleave.js';
import { readState, violations } from '../support/invariants.js';

const writesWait = (items: any[]) => items.some((i) => String(i.Put?.Item?.sk ?? '').startsWith('WAIT#'));
const stockOf = async (id: number) =>
  (await get('/inventory/products')).body.products.find((p: any) => p.product_id === id);

/** Lets the first transaction that `matches` commit, then loses its answer (the function died). */
function loseAnswerOf(matches: (items: any[]) => boolean): void {
  const real = documentClient();
  let fired = false;
  setDocumentClient(
    new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: any, ...rest: any[]) => {
          const result = await (real.send as any)(command, ...rest);
          if (!fired && command instanceof TransactWriteCommand && matches(command.input.TransactItems ?? [])) {
            fired = true;
            throw Object.assign(new Error('injected: answer lost'), { name: 'TimeoutError' });
          }
          return result;
        };
      },
    }) as DynamoDBDocumentClient,
  );
}

/**
 * One gate per matcher: the first transaction that matches is held until its `release()`;
 * `arrived` resolves once it is held. Every other call goes through untouched.
 */
function holdTransactions(
  ...matchers: Array<(items: any[]) => boolean>
): Array<{ arrived: Promise<void>; release: () => void }> {
  const real = documentClient();
  const gates = matchers.map((matches) => {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => (arrive = r));
    const released = new Promise<void>((r) => (release = r));
    return { matches, arrived, release, arrive, released, used: false };
  });
  setDocumentClient(
    new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: any, ...rest: any[]) => {
          if (command instanceof TransactWriteCommand) {
            const gate = gates.find((g) => !g.used && g.matches(command.input.TransactItems ?? []));
            if (gate) {
              gate.used = true;
              gate.arrive();
              await gate.released;
            }
          }
          return (real.send as any)(command, ...rest);
        };
      },
    }) as DynamoDBDocumentClient,
  );
  return gates;
}

const createsOrder = (orderId: string) => (items: any[]) => items.some((i) => i.Put?.Item?.order_id === orderId);

describe('races between an order and a restock', () => {
  let real: DynamoDBDocumentClient;
  beforeAll(async () => {
    await createTestTable('races');
    real = documentClient();
  });
  afterEach(() => setDocumentClient(real));

  it('an order about to wait on an empty product ships instead when a restock lands first', async () => {
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 100 }]);
    beforeTransaction(writesWait, () => post('/inventory/process_restock', [{ product_id: a, quantity: 3 }]));
    const res = await post('/inventory/process_order', {
      order_id: uniqueOrderId(),
      requested: [{ product_id: a, quantity: 2 }],
    });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('fulfilled');
    expect(await stockOf(a!)).toMatchObject({ quantity: 1, backordered: 0 });
    expect(violations(await readState())).toEqual([]);
  });

  it('an order about to take all that is on hand takes more when a restock lands first', async () => {
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 100 }]);
    await post('/inventory/process_restock', [{ product_id: a, quantity: 3 }]);
    beforeTransaction(writesWait, () => post('/inventory/process_restock', [{ product_id: a, quantity: 4 }]));
    const res = await post('/inventory/process_order', {
      order_id: uniqueOrderId(),
      requested: [{ product_id: a, quantity: 5 }],
    });
    expect(res.body.status).toBe('fulfilled');
    expect(await stockOf(a!)).toMatchObject({ quantity: 2, backordered: 0 });
    expect(violations(await readState())).toEqual([]);
  });

  it('an order about to take all that is on hand waits instead when an order that started before it waits first (rule 4)', async () => {
    // The guard: `backordered = 0` on the "take what is on hand, wait for the rest" write. An
    // order's place in every queue is when its creation started, so `older` is ahead of `newer`.
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 100 }]);
    await post('/inventory/process_restock', [{ product_id: a, quantity: 3 }]);
    const older = uniqueOrderId('older');
    const newer = uniqueOrderId('newer');
    const [holdOlder, holdNewer] = holdTransactions(
      createsOrder(older),
      (items) => createsOrder(newer)(items) && writesWait(items),
    );
    const olderRes = post('/inventory/process_order', { order_id: older, requested: [{ product_id: a, quantity: 2 }] });
    await holdOlder!.arrived;
    await new Promise((r) => setTimeout(r, 5));
    // `newer` reads 3 on hand and nobody waiting: it will take the 3 and wait for 2.
    const newerRes = post('/inventory/process_order', { order_id: newer, requested: [{ product_id: a, quantity: 5 }] });
    await holdNewer!.arrived;
    // Before it writes: the 3 are taken, `older` starts waiting, and a restock cut short puts 3 on hand.
    const taker = { order_id: uniqueOrderId('taker'), requested: [{ product_id: a, quantity: 3 }] };
    expect((await post('/inventory/process_order', taker)).body.status).toBe('fulfilled');
    holdOlder!.release();
    expect((await olderRes).body.status).toBe('backordered');
    process.env.DRAIN_BUDGET_MS = '0';
    try {
      expect((await post('/inventory/process_restock', [{ product_id: a, quantity: 3 }])).body.draining).toBe(true);
    } finally {
      delete process.env.DRAIN_BUDGET_MS;
    }
    holdNewer!.release();
    const res = await newerRes;
    expect(res.status).toBe(201);
    expect(res.body.shipped).toEqual([]);
    setDocumentClient(real);
    await runSweeper();
    expect((await get(`/inventory/orders/${older}`)).body.status).toBe('fulfilled');
    expect((await get(`/inventory/orders/${newer}`)).body.shipped).toEqual([{ product_id: a, quantity: 1 }]);
    expect(violations(await readState())).toEqual([]);
  });

  it('a restock in two parts whose second part committed but lost its answer is applied once by the replay', async () => {
    const ids = productIds(150);
    await post(
      '/inventory/init_catalog',
      ids.map((product_id) => ({ product_id, product_name: 'P', mass_g: 10 })),
    );
    const key = { 'idempotency-key': uniqueOrderId('parts') };
    const body = ids.map((product_id) => ({ product_id, quantity: 3 }));
    const lease = process.env.RESTOCK_LEASE_MS;
    process.env.RESTOCK_LEASE_MS = '200';
    try {
      loseAnswerOf((items) => items.some((i) => i.Update?.UpdateExpression === 'SET parts_applied.#n = :t'));
      expect((await post('/inventory/process_restock', body, key)).status).toBe(500);
      setDocumentClient(real);
      await new Promise((r) => setTimeout(r, 250));
      const replay = await post('/inventory/process_restock', body, key);
      expect(replay.status).toBe(200);
    } finally {
      if (lease === undefined) delete process.env.RESTOCK_LEASE_MS;
      else process.env.RESTOCK_LEASE_MS = lease;
    }
    const products = await productsById();
    expect(ids.map((id) => products.get(id)?.quantity)).toEqual(ids.map(() => 3));
    expect(violations(await readState())).toEqual([]);
  });

  it('a restock part that a replay applied while the first request was still alive is not applied again by it (rule 6)', async () => {
    const ids = productIds(150);
    await post(
      '/inventory/init_catalog',
      ids.map((product_id) => ({ product_id, product_name: 'P', mass_g: 10 })),
    );
    const key = { 'idempotency-key': uniqueOrderId('alive') };
    const body = ids.map((product_id) => ({ product_id, quantity: 3 }));
    const lease = process.env.RESTOCK_LEASE_MS;
    process.env.RESTOCK_LEASE_MS = '1';
    try {
      // The first request, its lease over but still alive, is about to apply its second part of
      // stock; meanwhile a replay takes the restock over and applies that part itself.
      const appliesPart = (items: any[]) =>
        items.some((i) => i.Update?.UpdateExpression === 'SET parts_applied.#n = :t');
      beforeTransaction(appliesPart, async () => {
        await new Promise((r) => setTimeout(r, 5));
        expect((await post('/inventory/process_restock', body, key)).status).toBe(200);
      });
      expect((await post('/inventory/process_restock', body, key)).status).toBe(200);
    } finally {
      if (lease === undefined) delete process.env.RESTOCK_LEASE_MS;
      else process.env.RESTOCK_LEASE_MS = lease;
    }
    const products = await productsById();
    expect(ids.map((id) => products.get(id)?.quantity)).toEqual(ids.map(() => 3));
    expect(violations(await readState())).toEqual([]);
  });
});

describe('races between a write and a catalog change', () => {
  let real: DynamoDBDocumentClient;
  beforeAll(async () => {
    await createTestTable('races-catalog');
    real = documentClient();
  });
  afterEach(() => setDocumentClient(real));

  const heavier = (product_id: number) => () =>
    post('/inventory/init_catalog', [{ product_id, product_name: 'P', mass_g: 1000 }]);

  it('an order packed with a mass that changes before its write is packed again with the new mass (rule 1)', async () => {
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 900 }]);
    await post('/inventory/process_restock', [{ product_id: a, quantity: 2 }]);
    const id = uniqueOrderId();
    // Planned and packed at 900 g (one box of 1800 g); the mass becomes 1000 g before the write.
    beforeTransaction(createsOrder(id), heavier(a!));
    const res = await post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 2 }] });
    expect(res.status).toBe(201);
    expect(res.body.shipments.map((s: any) => s.mass_g)).toEqual([1000, 1000]);
    expect(violations(await readState())).toEqual([]);
  });

  it('a fill packed with a mass that changes before its write is packed again with the new mass (rule 1)', async () => {
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 900 }]);
    const id = uniqueOrderId();
    await post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 2 }] });
    const fills = (items: any[]) => items.some((i) => String(i.Update?.UpdateExpression).includes('backordered - :q'));
    beforeTransaction(fills, heavier(a!));
    const res = await post('/inventory/process_restock', [{ product_id: a, quantity: 2 }]);
    expect(res.status).toBe(200);
    expect(res.body.shipments.map((s: any) => s.mass_g)).toEqual([1000, 1000]);
    expect(violations(await readState())).toEqual([]);
  });
});

describe('races between two drains', () => {
  let real: DynamoDBDocumentClient;
  beforeAll(async () => {
    await createTestTable('races-drains');
    real = documentClient();
  });
  afterEach(() => setDocumentClient(real));

  it('a restock landing while another drain plans waits for its lease; that drain ships the units once: stock never negative (rule 5)', async () => {
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 100 }]);
    const waiting: string[] = [];
    for (let i = 0; i < 6; i++) {
      waiting.push(uniqueOrderId(`w${i}`));
      await post('/inventory/process_order', { order_id: waiting[i], requested: [{ product_id: a, quantity: 2 }] });
    }
    // This restock's drain holds the lease and has read 4 on hand; before it reads the queue, a
    // second restock lands 4 more and waits for the lease.
    let other: Promise<any> | undefined;
    const readsQueue = (c: any) => c instanceof QueryCommand && c.input.ExpressionAttributeValues?.[':w'] === 'WAIT#';
    beforeCommand(readsQueue, async () => {
      other = post('/inventory/process_restock', [{ product_id: a, quantity: 4 }]);
      while ((await stockOf(a!)).quantity < 8) await new Promise((r) => setTimeout(r, 5));
    });
    const res = await post('/inventory/process_restock', [{ product_id: a, quantity: 4 }]);
    const late = await other!;
    expect([res.status, late.status]).toEqual([200, 200]);
    // The drain filled the four oldest, one round each; the waiting restock found nothing left.
    expect(res.body.shipments.map((s: any) => s.order_id).sort()).toEqual(waiting.slice(0, 4).sort());
    expect(late.body.shipments).toEqual([]);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 0, backordered: 4 });
    const status = await Promise.all(waiting.map(async (id) => (await get(`/inventory/orders/${id}`)).body.status));
    expect(status).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'backordered', 'backordered']);
    expect(violations(await readState())).toEqual([]);
  });

  it('a sweep that found nothing to do leaves the mark a drain handed over meanwhile (rule 8)', async () => {
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 100 }]);
    expect((await post('/inventory/process_restock', [{ product_id: a, quantity: 3 }])).status).toBe(200);
    await markProductsDueNow([a!]);
    const order = uniqueOrderId('waits');
    // The sweeper finds the product with nobody waiting and is about to clear its mark;
    // meanwhile an order takes the 3 units and waits for 2, and a restock of 2 runs out of time
    // before its drain, handing the product over to the sweeper with a mark due now.
    const clearsMark = (c: any) =>
      c instanceof UpdateCommand && c.input.UpdateExpression === 'REMOVE attention_pk, attention_sk';
    beforeCommand(clearsMark, async () => {
      expect(
        (await post('/inventory/process_order', { order_id: order, requested: [{ product_id: a, quantity: 5 }] })).body
          .status,
      ).toBe('partially_shipped');
      process.env.DRAIN_BUDGET_MS = '0';
      try {
        expect((await post('/inventory/process_restock', [{ product_id: a, quantity: 2 }])).body.draining).toBe(true);
      } finally {
        delete process.env.DRAIN_BUDGET_MS;
      }
    });
    await runSweeper();
    expect((await get(`/inventory/orders/${order}`)).body.status).toBe('partially_shipped');
    // The mark survived: the next sweep fills the order.
    await runSweeper();
    expect((await get(`/inventory/orders/${order}`)).body.status).toBe('fulfilled');
    expect(violations(await readState())).toEqual([]);
  });
});

describe('races between two requests for one large order', () => {
  let real: DynamoDBDocumentClient;
  beforeAll(async () => {
    await createTestTable('races-large');
    real = documentClient();
  });
  afterEach(() => setDocumentClient(real));

  /** An order of 100 lines (more than one transaction holds) with twice its units on hand. */
  async function largeOrder() {
    const ids = productIds(100);
    await post(
      '/inventory/init_catalog',
      ids.map((product_id) => ({ product_id, product_name: 'P', mass_g: 100 })),
    );
    await post(
      '/inventory/process_restock',
      ids.map((product_id) => ({ product_id, quantity: 2 })),
    );
    const body = {
      order_id: uniqueOrderId('large'),
      requested: ids.map((product_id) => ({ product_id, quantity: 1 })),
    };
    return { ids, body };
  }

  async function expectShippedOnce(ids: number[], orderId: string) {
    const view = (await get(`/inventory/orders/${orderId}`)).body;
    expect(view.status).toBe('fulfilled');
    // 100 units of 100 g, packed once: 6 boxes.
    expect(view.shipments).toHaveLength(6);
    const products = await productsById();
    expect(ids.map((id) => products.get(id)?.quantity)).toEqual(ids.map(() => 1));
    expect(violations(await readState())).toEqual([]);
  }

  it('a part of the creation that the retry allocated is not allocated again by the first request', async () => {
    const { ids, body } = await largeOrder();
    // The first request is about to allocate the first part; meanwhile the retry does the whole creation.
    const firstPart = (items: any[]) =>
      items.some(
        (i) =>
          i.Update?.UpdateExpression === 'SET parts_done = :next' && i.Update.ExpressionAttributeValues[':done'] === 0,
      );
    beforeTransaction(firstPart, async () => expect((await post('/inventory/process_order', body)).status).toBe(200));
    expect((await post('/inventory/process_order', body)).status).toBe(201);
    await expectShippedOnce(ids, body.order_id);
  });

  it('parts that the retry packed are not packed again by the first request', async () => {
    const { ids, body } = await largeOrder();
    // The first request has allocated every part and is about to pack them; meanwhile the retry packs them.
    const packs = (items: any[]) => items.some((i) => String(i.Delete?.Key?.sk ?? '').startsWith('PART#'));
    beforeTransaction(packs, async () => expect((await post('/inventory/process_order', body)).status).toBe(200));
    expect((await post('/inventory/process_order', body)).status).toBe(201);
    await expectShippedOnce(ids, body.order_id);
  });
});

describe('races between two catalog requests', () => {
  let real: DynamoDBDocumentClient;
  beforeAll(async () => {
    await createTestTable('races-catalog-ids');
    real = documentClient();
  });
  afterEach(() => setDocumentClient(real));

  it('an assigned id that an explicit upsert took meanwhile is replaced, never overwriting that product (rule 5)', async () => {
    // The first request has reserved an id and is about to create its product under it; meanwhile
    // another request creates a product with that very id, and it is restocked.
    let reserved: number | undefined;
    const createsAssigned = (items: any[]) => {
      reserved = items.find((i) => i.Put?.Item?.sk === 'PRODUCT')?.Put.Item.product_id;
      return reserved !== undefined;
    };
    beforeTransaction(createsAssigned, async () => {
      expect(
        (await post('/inventory/init_catalog', [{ product_id: reserved, product_name: 'explicit', mass_g: 100 }]))
          .status,
      ).toBe(201);
      expect((await post('/inventory/process_restock', [{ product_id: reserved, quantity: 5 }])).status).toBe(200);
    });
    const res = await post('/inventory/init_catalog', [{ product_name: 'assigned', mass_g: 200 }]);
    expect(res.status).toBe(201);
    expect(res.body.products[0].product_id).not.toBe(reserved);
    expect((await productsById()).get(reserved)).toMatchObject({ product_name: 'explicit', mass_g: 100, quantity: 5 });
    expect(violations(await readState())).toEqual([]);
  });
});

describe('transaction conflicts (DynamoDB cancels a transaction that races another on an item)', () => {
  let real: DynamoDBDocumentClient;
  beforeAll(async () => {
    await createTestTable('races-conflicts');
    real = documentClient();
  });
  afterEach(() => {
    setDocumentClient(real);
    logger.setLogLevel('ERROR');
    delete process.env.RESTOCK_LEASE_MS;
  });

  /** The next transaction that `matches` is cancelled with `error` before it is sent. */
  function failNextTransaction(matches: (items: any[]) => boolean, error: () => Error): void {
    let fired = false;
    setDocumentClient(
      new Proxy(real, {
        get(target, prop, receiver) {
          if (prop !== 'send') return Reflect.get(target, prop, receiver);
          return async (command: any, ...rest: any[]) => {
            if (!fired && command instanceof TransactWriteCommand && matches(command.input.TransactItems ?? [])) {
              fired = true;
              throw error();
            }
            return (real.send as any)(command, ...rest);
          };
        },
      }) as DynamoDBDocumentClient,
    );
  }
  const packsParts = (items: any[]) => items.some((i) => String(i.Delete?.Key?.sk ?? '').startsWith('PART#'));
  const conflict = () =>
    new TransactionCanceledException({
      message: 'injected: transaction conflict',
      $metadata: {},
      CancellationReasons: [{ Code: 'TransactionConflict' }],
    });

  it('a conflict is tried again, never taken as "someone else did it": a resumed restock still packs and lists its package', async () => {
    logger.setLogLevel('SILENT');
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 100 }]);
    const id = uniqueOrderId('w');
    await post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 2 }] });
    process.env.RESTOCK_LEASE_MS = '1';
    const key = { 'idempotency-key': uniqueOrderId('k') };
    const body = [{ product_id: a, quantity: 2 }];
    // The first request dies right after putting the stock on hand.
    const restore = dieAfterTransactions(1);
    expect((await post('/inventory/process_restock', body, key)).status).toBe(500);
    restore();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The replay fills the order in parts (it resumes a dead restock); its packing fails before it is sent.
    failNextTransaction(packsParts, () =>
      Object.assign(new Error('injected: connection reset'), { name: 'NetworkingError' }),
    );
    expect((await post('/inventory/process_restock', body, key)).status).toBe(500);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The next replay packs what that one left; its packing meets a conflict.
    failNextTransaction(packsParts, conflict);
    const replay = await post('/inventory/process_restock', body, key);
    setDocumentClient(real);
    expect(replay.status).toBe(200);
    expect(replay.body.shipments).toEqual([
      expect.objectContaining({
        order_id: id,
        shipped: [{ product_id: a, quantity: 2, lots: [{ lot: null, quantity: 2 }] }],
      }),
    ]);
    expect((await get(`/inventory/orders/${id}`)).body.shipments).toHaveLength(1);
    expect((await post('/inventory/process_restock', body, key)).body).toEqual(replay.body);
    expect(violations(await readState())).toEqual([]);
  });

  it('an order whose creation meets a conflict is created once, with its package', async () => {
    const [a] = productIds(1);
    await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 100 }]);
    await post('/inventory/process_restock', [{ product_id: a, quantity: 3 }]);
    const id = uniqueOrderId('c');
    failNextTransaction(createsOrder(id), conflict);
    const res = await post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 3 }] });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('fulfilled');
    expect(res.body.shipments).toHaveLength(1);
    expect(violations(await readState())).toEqual([]);
  });
});
