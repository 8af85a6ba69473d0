/**
 * SPEC v2: every GET route also answers HEAD, with the same status and headers and no body,
 * through the same handler (and, in AWS, the same scope: test/infra/stack.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { call, catalog, post, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { createRouteMatcher } from '../../local/route-matcher.js';

let orderId: string;
beforeAll(async () => {
  await createTestTable('head');
  const [p] = (await catalog([300])) as [number];
  orderId = uniqueOrderId('head');
  await post('/inventory/process_order', { order_id: orderId, requested: [{ product_id: p, quantity: 2 }] });
});

describe('HEAD', () => {
  it.each([
    ['/inventory/products', 200],
    ['/inventory/products?limit=0', 422],
    ['/inventory/orders/{id}', 200],
    ['/inventory/orders/no-such-order', 404],
    ['/inventory/orders?status=waiting', 200],
    ['/inventory/orders?status=shipped', 422],
    ['/health', 200],
    ['/openapi.json', 200],
  ])('%s answers as GET does (%i), without a body', async (template, status) => {
    const path = template.replace('{id}', orderId);
    const got = await call('GET', path);
    const head = await call('HEAD', path);
    expect(got.status).toBe(status);
    expect(head.status).toBe(status);
    expect(head.body).toBeUndefined();
    // Every answer has its own request id; everything else is the same.
    const { 'content-length': length, 'x-request-id': headId, ...headers } = head.headers;
    const { 'x-request-id': getId, ...getHeaders } = got.headers;
    expect(headers).toEqual(getHeaders);
    expect(headId === undefined).toBe(getId === undefined);
    expect(Number(length)).toBe(Buffer.byteLength(JSON.stringify(got.body)));
  });

  it('is routed to the GET route (route key HEAD ...), and not to POST routes', () => {
    const match = createRouteMatcher();
    expect(match('HEAD', '/inventory/orders/42')).toMatchObject({
      kind: 'found',
      routeKey: 'HEAD /inventory/orders/{order_id}',
      route: { handler: 'get-order' },
    });
    expect(match('HEAD', '/inventory/process_order')).toEqual({ kind: 'method-not-allowed', allowedMethods: ['POST'] });
    expect(match('PUT', '/inventory/products')).toEqual({
      kind: 'method-not-allowed',
      allowedMethods: ['GET', 'HEAD'],
    });
  });
});
