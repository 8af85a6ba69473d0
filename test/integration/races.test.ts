/**
 * Races forced at the exact moment that matters: a restock lands between an order's read of
 * the stock and its write. The order's write conditions must notice, or stock would be left
 * on hand next to a waiting order (rule 8) with nobody left to drain it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, setDocumentClient } from '../../functions/commons/dynamodb.js';
import { createTestTable } from '../support/dynamodb.js';
import { get, post, productIds, uniqueOrderId } from '../support/api.js';
import { readState, violations } from '../support/invariants.js';

/** Runs `meanwhile` once, just before the first transaction that `matches` is sent. */
function beforeTransaction(matches: (items: any[]) => boolean, meanwhile: () => Promise<unknown>): void {
  const real = documentClient();
  let fired = false;
  const proxy = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: any, ...rest: any[]) => {
        if (!fired && command instanceof TransactWriteCommand && matches(command.input.TransactItems ?? [])) {
          fired = true;
          setDocumentClient(real);
          try {
            await meanwhile();
          } finally {
            setDocumentClient(proxy as DynamoDBDocumentClient);
          }
        }
        return (real.send as any)(command, ...rest);
      };
    },
  });
  setDocumentClient(proxy as DynamoDBDocumentClient);
}

const writesWait = (items: any[]) => items.some((i) => String(i.Put?.Item?.sk ?? '').startsWith('WAIT#'));
const stockOf = async (id: number) => (await get('/inventory/products')).body.products.find((p: any) => p.product_id === id);

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
    const res = await post('/inventory/process_order', { order_id: uniqueOrderId(), requested: [{ product_id: a, quantity: 2 }] });
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
    const res = await post('/inventory/process_order', { order_id: uniqueOrderId(), requested: [{ product_id: a, quantity: 5 }] });
    expect(res.body.status).toBe('fulfilled');
    expect(await stockOf(a!)).toMatchObject({ quantity: 2, backordered: 0 });
    expect(violations(await readState())).toEqual([]);
  });
});
