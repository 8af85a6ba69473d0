/**
 * Every error row of SPEC.md through the real handlers: the status, an application/problem+json
 * body with a path per bad field, and no change to the stored state (rule 7).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../support/dynamodb.js';
import { call, get, post, productIds, uniqueOrderId } from '../support/api.js';
import { readState } from '../support/invariants.js';

let a: number;

beforeAll(async () => {
  await createTestTable('errors');
  a = productIds(1)[0]!;
  await post('/inventory/init_catalog', [{ product_id: a, product_name: 'P', mass_g: 100 }]);
  await post('/inventory/process_restock', [{ product_id: a, quantity: 5 }]);
});

async function expectProblem(
  request: () => Promise<{ status: number; headers: Record<string, string>; body: any }>,
  status: number,
  paths: string[] = [],
) {
  const before = JSON.stringify(await readState(), mapReplacer);
  const res = await request();
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  for (const path of paths) expect(res.body.errors.map((e: any) => e.path)).toContain(path);
  expect(JSON.stringify(await readState(), mapReplacer)).toBe(before);
  return res;
}
const mapReplacer = (_k: string, v: unknown) => (v instanceof Map ? [...v.entries()] : v);

describe('400: not JSON, wrong JSON type, required field missing', () => {
  it('body is not JSON', () => expectProblem(() => post('/inventory/process_order', '{"requested": [', {}), 400));
  it('wrong type: a quantity as a string', () =>
    expectProblem(() => post('/inventory/process_order', { requested: [{ product_id: a, quantity: '2' }] }), 400, [
      'requested[0].quantity',
    ]));
  it('wrong type: catalog not an array', () =>
    expectProblem(() => post('/inventory/init_catalog', { product_name: 'x', mass_g: 1 }), 400));
  it('required field missing: mass_g', () =>
    expectProblem(() => post('/inventory/init_catalog', [{ product_name: 'x' }]), 400, ['[0].mass_g']));
  it('required field missing: requested', () =>
    expectProblem(() => post('/inventory/process_order', { order_id: 'x1' }), 400, ['requested']));
  it('empty restock body', () => expectProblem(() => post('/inventory/process_restock', ''), 400));
});

describe('422: right type, disallowed value', () => {
  it('non-integer quantity', () =>
    expectProblem(() => post('/inventory/process_order', { requested: [{ product_id: a, quantity: 1.5 }] }), 422, [
      'requested[0].quantity',
    ]));
  it('order quantity out of range', () =>
    expectProblem(() => post('/inventory/process_order', { requested: [{ product_id: a, quantity: 10_001 }] }), 422, [
      'requested[0].quantity',
    ]));
  it('restock quantity out of range', () =>
    expectProblem(() => post('/inventory/process_restock', [{ product_id: a, quantity: 1_000_001 }]), 422, [
      '[0].quantity',
    ]));
  it('too few entries', () => expectProblem(() => post('/inventory/process_restock', []), 422));
  it('too many order lines', () =>
    expectProblem(
      () =>
        post('/inventory/process_order', {
          requested: Array.from({ length: 101 }, () => ({ product_id: a, quantity: 1 })),
        }),
      422,
      ['requested'],
    ));
  it('order id not matching its pattern', () =>
    expectProblem(
      () => post('/inventory/process_order', { order_id: '123', requested: [{ product_id: a, quantity: 1 }] }),
      422,
      ['order_id'],
    ));
  it('unknown product in an order', () =>
    expectProblem(
      () => post('/inventory/process_order', { requested: [{ product_id: 123_456_789, quantity: 1 }] }),
      422,
      ['requested[0].product_id'],
    ));
  it('catalog rule broken: mass over 1800 g, with the valid entries not applied either', () =>
    expectProblem(
      () =>
        post('/inventory/init_catalog', [
          { product_id: a, product_name: 'renamed', mass_g: 10 },
          { product_name: 'heavy', mass_g: 1801 },
        ]),
      422,
      ['[1].mass_g'],
    ));
});

describe('404, 409, 413', () => {
  it('unknown product in a restock is 404', () =>
    expectProblem(
      () =>
        post('/inventory/process_restock', [
          { product_id: a, quantity: 1 },
          { product_id: 123_456_789, quantity: 1 },
        ]),
      404,
      ['[1].product_id'],
    ));
  it('unknown order in GET is 404', () => expectProblem(() => get('/inventory/orders/never-placed'), 404));
  it('same order_id with another body is 409', async () => {
    const id = uniqueOrderId();
    await post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 1 }] });
    await expectProblem(
      () => post('/inventory/process_order', { order_id: id, requested: [{ product_id: a, quantity: 2 }] }),
      409,
    );
  });
  it('same Idempotency-Key with another body is 409', async () => {
    const key = { 'idempotency-key': uniqueOrderId('key') };
    await post('/inventory/process_restock', [{ product_id: a, quantity: 1 }], key);
    await expectProblem(() => post('/inventory/process_restock', [{ product_id: a, quantity: 2 }], key), 409);
  });
  it('body over 256 KiB is 413', () =>
    expectProblem(() => post('/inventory/process_restock', `[${' '.repeat(256 * 1024)}]`), 413));
  it('a wrong content type is refused with a 4xx', async () => {
    const res = await call('POST', '/inventory/process_restock', '[]', { 'content-type': 'text/plain' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});
