/**
 * Real answers of the handlers (on DynamoDB Local) against the published document: each answer's
 * status must be documented for its operation, with its content type, and its body must fit the
 * documented schema, and, for success bodies, the zod response schema it was generated from. So
 * the documentation cannot drift from what the service sends.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildOpenApiDocument } from '../../functions/http/openapi.js';
import {
  HealthSchema,
  MovementPageSchema,
  OrderPageSchema,
  OrderViewSchema,
  ProblemSchema,
  ProductListSchema,
  ProductPageSchema,
  RestockAnswerSchema,
} from '../../functions/http/response-schemas.js';
import { call, get, post, productIds, uniqueOrderId, type ApiResponse } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { documentedMedia, documentValidator, operationOf } from '../support/openapi-schemas.js';

const doc = buildOpenApiDocument('test');

/** Checks one answer of `method path` (the route's path template) against the document. */
function expectDocumented(method: string, route: string, res: ApiResponse, zodSchema?: z.ZodType) {
  const operation = operationOf(doc, method, route);
  const contentType = res.headers['content-type'] ?? '';
  const media = documentedMedia(operation, res.status, contentType);
  expect(media, `${method} ${route} documents ${res.status} ${contentType}`).toBeDefined();
  const byDocument = documentValidator(doc, media!.schema).safeParse(res.body);
  expect(
    byDocument.success ? [] : byDocument.error.issues,
    `${method} ${route} ${res.status} fits the document`,
  ).toEqual([]);
  if (zodSchema) {
    const byZod = zodSchema.safeParse(res.body);
    expect(byZod.success ? [] : byZod.error.issues).toEqual([]);
  }
  if (res.status >= 400) expect(ProblemSchema.safeParse(res.body).success).toBe(true);
}

let a: number;
let b: number;

beforeAll(async () => {
  await createTestTable('api-docs');
});

describe('answers fit the documented schemas', () => {
  it('POST /inventory/init_catalog: 201, 400, 413, 415, 422', async () => {
    const ids = productIds(3);
    const ok = await post('/inventory/init_catalog', [
      { product_id: ids[0], product_name: 'RBC A+ Adult', mass_g: 700 },
      { product_id: ids[1], product_name: 'FFP A+', mass_g: 300 },
      { product_name: 'assigned id', mass_g: 5 },
    ]);
    expect(ok.status).toBe(201);
    expectDocumented('POST', '/inventory/init_catalog', ok, ProductListSchema);
    [a, b] = ids as [number, number];
    expectDocumented('POST', '/inventory/init_catalog', await post('/inventory/init_catalog', [{ product_name: 'x' }]));
    expectDocumented('POST', '/inventory/init_catalog', await post('/inventory/init_catalog', '[{"product_name":'));
    expectDocumented(
      'POST',
      '/inventory/init_catalog',
      await post('/inventory/init_catalog', [{ product_name: 'x', mass_g: 1801 }]),
    );
    expectDocumented(
      'POST',
      '/inventory/init_catalog',
      await post('/inventory/init_catalog', ' '.repeat(256 * 1024 + 1)),
    );
    expectDocumented(
      'POST',
      '/inventory/init_catalog',
      await post('/inventory/init_catalog', 'x', { 'content-type': 'text/plain' }),
    );
  });

  it('POST /inventory/process_order: 201, 200 replay, 409, 422 (unknown product), 400', async () => {
    const orderId = uniqueOrderId();
    const body = {
      order_id: orderId,
      requested: [
        { product_id: a, quantity: 2 },
        { product_id: b, quantity: 1 },
      ],
    };
    const created = await post('/inventory/process_order', body);
    expect(created.status).toBe(201);
    expectDocumented('POST', '/inventory/process_order', created, OrderViewSchema);
    const replay = await post('/inventory/process_order', body);
    expect(replay.status).toBe(200);
    expectDocumented('POST', '/inventory/process_order', replay, OrderViewSchema);
    const conflict = await post('/inventory/process_order', { ...body, requested: [{ product_id: a, quantity: 3 }] });
    expect(conflict.status).toBe(409);
    expectDocumented('POST', '/inventory/process_order', conflict);
    const unknown = await post('/inventory/process_order', { requested: [{ product_id: 987_654_321, quantity: 1 }] });
    expect(unknown.status).toBe(422);
    expectDocumented('POST', '/inventory/process_order', unknown);
    expectDocumented('POST', '/inventory/process_order', await post('/inventory/process_order', { requested: 'none' }));
    const integerId = await post('/inventory/process_order', {
      order_id: productIds(1)[0]! * 1000 + 7,
      requested: [{ product_id: a, quantity: 1 }],
    });
    expect(typeof integerId.body.order_id).toBe('number');
    expectDocumented('POST', '/inventory/process_order', integerId, OrderViewSchema);
  });

  it('POST /inventory/process_restock: 200 with shipments, the replay, 409, 404, 422 for a bad key', async () => {
    const restock = [
      { product_id: a, quantity: 5 },
      { product_id: b, quantity: 2 },
      { product_id: a, quantity: 1 },
    ];
    const key = `docs-${uniqueOrderId()}`;
    const res = await post('/inventory/process_restock', restock, { 'idempotency-key': key });
    expect(res.status).toBe(200);
    expect(res.body.shipments.length).toBeGreaterThan(0);
    expectDocumented('POST', '/inventory/process_restock', res, RestockAnswerSchema);
    const replay = await post('/inventory/process_restock', restock, { 'idempotency-key': key });
    expect(replay.body).toEqual(res.body);
    const conflict = await post('/inventory/process_restock', [{ product_id: a, quantity: 1 }], {
      'idempotency-key': key,
    });
    expect(conflict.status).toBe(409);
    expectDocumented('POST', '/inventory/process_restock', conflict);
    const unknown = await post('/inventory/process_restock', [{ product_id: 987_654_321, quantity: 1 }]);
    expect(unknown.status).toBe(404);
    expectDocumented('POST', '/inventory/process_restock', unknown);
    const badKey = await post('/inventory/process_restock', [{ product_id: a, quantity: 1 }], {
      'idempotency-key': 'two words',
    });
    expect(badKey.status).toBe(422);
    expectDocumented('POST', '/inventory/process_restock', badKey);
  });

  it('GET /inventory/orders/{order_id}: 200 with shipments, 404', async () => {
    const orderId = uniqueOrderId();
    await post('/inventory/process_order', { order_id: orderId, requested: [{ product_id: a, quantity: 1 }] });
    const view = await get(`/inventory/orders/${orderId}`);
    expect(view.status).toBe(200);
    expect(view.body.shipments.length).toBeGreaterThan(0);
    expectDocumented('GET', '/inventory/orders/{order_id}', view, OrderViewSchema);
    expectDocumented('GET', '/inventory/orders/{order_id}', await get('/inventory/orders/no-such-order'));
  });

  it('GET /inventory/orders: 200 for the waiting and the fulfilled lists, 422, 404', async () => {
    const waiting = uniqueOrderId('docs-wait');
    await post('/inventory/process_order', { order_id: waiting, requested: [{ product_id: b, quantity: 3 }] });
    const fulfilled = uniqueOrderId('docs-done');
    expect(
      (await post('/inventory/process_order', { order_id: fulfilled, requested: [{ product_id: a, quantity: 1 }] }))
        .status,
    ).toBe(201);
    const waitingList = await get(`/inventory/orders?status=waiting&product_id=${b}`);
    expect(waitingList.body.orders.map((o: { order_id: string }) => o.order_id)).toContain(waiting);
    expectDocumented('GET', '/inventory/orders', waitingList, OrderPageSchema);
    // A fulfilled order's summary is the one filed at its creation: it must fit as well.
    const doneList = await get(`/inventory/orders?status=fulfilled&product_id=${a}`);
    expect(doneList.body.orders.map((o: { order_id: string }) => o.order_id)).toContain(fulfilled);
    expectDocumented('GET', '/inventory/orders', doneList, OrderPageSchema);
    expectDocumented('GET', '/inventory/orders', await get('/inventory/orders?status=shipped'));
    expectDocumented('GET', '/inventory/orders', await get('/inventory/orders?product_id=987654321987'));
  });

  it('GET /inventory/products/{product_id}/movements and GET /console: 200', async () => {
    expectDocumented(
      'GET',
      '/inventory/products/{product_id}/movements',
      await get(`/inventory/products/${a}/movements`),
      MovementPageSchema,
    );
    const page = await call('GET', '/console');
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const operation = operationOf(doc, 'GET', '/console');
    expect(documentedMedia(operation, page.status, page.headers['content-type']!)).toBeDefined();
  });

  it('GET /inventory/products and GET /health: 200', async () => {
    expectDocumented('GET', '/inventory/products', await get('/inventory/products'), ProductPageSchema);
    const health = await get('/health');
    expect(health.status).toBe(200);
    expectDocumented('GET', '/health', health, HealthSchema);
  });

  it('a field the document does not list fails the check (strict schemas)', async () => {
    const products = await get('/inventory/products');
    const leaked = { ...products, body: { products: [{ ...products.body.products[0], on_hand: 1 }] } };
    expect(() => expectDocumented('GET', '/inventory/products', leaked)).toThrow();
    expect(() => expectDocumented('GET', '/inventory/products', { ...products, status: 418 })).toThrow();
  });
});

describe('GET /health: 503 when DynamoDB is unreachable', () => {
  it('is a documented problem', async () => {
    const table = process.env.TABLE_NAME;
    process.env.TABLE_NAME = 'no-such-table-for-api-docs';
    try {
      const res = await call('GET', '/health');
      expect(res.status).toBe(503);
      expectDocumented('GET', '/health', res);
    } finally {
      process.env.TABLE_NAME = table;
    }
  });
});
