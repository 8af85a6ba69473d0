/**
 * Least privilege that is still enough: every DynamoDB action a function sends, across scenarios
 * that reach its rarer paths (a lowered reserve draining, a large order in parts, a drain, a
 * cancellation, the sweeper), is one infra/permissions.ts grants it. DynamoDB Local checks no
 * IAM, so without this test a missing grant would first show as AccessDenied in AWS.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient, setDocumentClient, tableName } from '../../functions/commons/dynamodb.js';
import { publishEvents } from '../../functions/use-cases/publish-events.js';
import type { FunctionName } from '../../infra/handlers.js';
import { TABLE_ACCESS } from '../../infra/permissions.js';
import { call, catalog, get, post, runSweeper, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';

/** The IAM actions behind each command: a transaction is authorized per contained operation. */
function actionsOf(command: { constructor: { name: string }; input: Record<string, any> }): string[] {
  const name = command.constructor.name.replace(/Command$/, '');
  if (name === 'TransactWrite' || name === 'TransactWriteItems') {
    const kinds: Record<string, string> = {
      Put: 'PutItem',
      Update: 'UpdateItem',
      Delete: 'DeleteItem',
      ConditionCheck: 'ConditionCheckItem',
    };
    return (command.input.TransactItems as object[]).map((item) => `dynamodb:${kinds[Object.keys(item)[0]!]}`);
  }
  const action = {
    Get: 'GetItem',
    Put: 'PutItem',
    Update: 'UpdateItem',
    Delete: 'DeleteItem',
    BatchGet: 'BatchGetItem',
  }[name];
  if (name === 'Query' && command.input.IndexName) return [`index:${command.input.IndexName}`];
  return [`dynamodb:${action ?? name}`];
}

const sent = new Map<FunctionName, Set<string>>();
let current: FunctionName | undefined;
let real: DynamoDBDocumentClient;

/** Runs `work` as function `name`: every action sent meanwhile is charged to it. */
async function as<T>(name: FunctionName, work: () => Promise<T>): Promise<T> {
  current = name;
  try {
    return await work();
  } finally {
    current = undefined;
  }
}

beforeAll(async () => {
  await createTestTable('permissions');
  real = documentClient();
  setDocumentClient(
    new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return (command: any, ...rest: any[]) => {
          if (current)
            for (const action of actionsOf(command)) sent.set(current, (sent.get(current) ?? new Set()).add(action));
          return (real.send as any)(command, ...rest);
        };
      },
    }) as DynamoDBDocumentClient,
  );
});
afterAll(() => setDocumentClient(real));

describe('each function sends only DynamoDB actions it is granted', () => {
  it('covers the scenarios, then compares with infra/permissions.ts', async () => {
    const [a, b] = await as('init-catalog', () => catalog([300, 200]));
    const many = await as('init-catalog', () => catalog(Array.from({ length: 60 }, () => 100)));
    await as('init-catalog', () =>
      post('/inventory/init_catalog', [{ product_id: a, product_name: 'A', mass_g: 300, emergency_reserve: 5 }]),
    );
    await as('process-restock', () => post('/inventory/process_restock', [{ product_id: a, quantity: 5 }]));
    const waiting = uniqueOrderId('perm');
    await as('process-order', async () => {
      await post('/inventory/process_order', { order_id: waiting, requested: [{ product_id: a, quantity: 3 }] });
      await post('/inventory/process_order', { requested: many.map((id) => ({ product_id: id, quantity: 1 })) });
      await post('/inventory/process_order', { order_id: waiting, requested: [{ product_id: a, quantity: 3 }] });
    });
    // Lowering the reserve drains the units it frees to the waiting order (all 3 it waits for).
    await as('init-catalog', () =>
      post('/inventory/init_catalog', [{ product_id: a, product_name: 'A', mass_g: 300, emergency_reserve: 2 }]),
    );
    const large = uniqueOrderId('perm-large');
    await as('process-order', () =>
      post('/inventory/process_order', {
        order_id: large,
        requested: [...many, b].map((id) => ({ product_id: id, quantity: 2 })),
      }),
    );
    await as('process-restock', () =>
      post(
        '/inventory/process_restock',
        many.map((id) => ({ product_id: id, quantity: 1 })),
        { 'Idempotency-Key': uniqueOrderId('k') },
      ),
    );
    await as('cancel-order', () => call('POST', `/inventory/orders/${large}/cancel`));
    await as('get-order', () => get(`/inventory/orders/${waiting}`));
    await as('list-products', () => get('/inventory/products'));
    await as('health', () => get('/health'));
    await as('sweeper', () => runSweeper());
    // The publisher of outbound events, on the records the stream would carry for two orders'
    // shipments and cancellation (built from their items: this table has no stream).
    const inserted = await Promise.all(
      [waiting, large].map(async (orderId) => {
        const { Items = [] } = await real.send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `ORDER#${orderId}` },
          }),
        );
        return Items;
      }),
    );
    const records = inserted.flat().map((item, i) => ({
      id: String(i),
      record: { eventName: 'INSERT', dynamodb: { NewImage: marshall(item) as Record<string, unknown> } },
    }));
    expect(inserted.flat().map((item) => String(item.sk).split('#')[0])).toEqual(
      expect.arrayContaining(['SHIP', 'CANCEL']),
    );
    const report = await as('publish-events', () => publishEvents(records, { publish: async () => ({ failed: [] }) }));
    expect(report.failedRecords).toEqual([]);

    for (const name of [
      'init-catalog',
      'process-order',
      'process-restock',
      'cancel-order',
      'get-order',
      'publish-events',
    ] as const) {
      expect(sent.get(name)?.size, `${name} sent something`).toBeGreaterThan(0);
    }
    for (const [name, actions] of sent) {
      const granted = new Set<string>([
        ...TABLE_ACCESS[name].table,
        ...TABLE_ACCESS[name].queriesIndexes.map((index) => `index:${index}`),
      ]);
      expect(
        [...actions].filter((action) => !granted.has(action)),
        `${name} sends what it is not granted`,
      ).toEqual([]);
    }
    // The reserve drain really reached init-catalog's rare path.
    expect(sent.get('init-catalog')).toContain('dynamodb:DeleteItem');
  });
});
