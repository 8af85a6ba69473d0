/**
 * Hostile input on every route: arbitrary JSON, wrong types, numeric strings, 2^53+1, -0,
 * 1e309, floats, long and non-ASCII strings, deep nesting, 300 KiB bodies, duplicate keys,
 * `__proto__` and `constructor` keys, wrong content types. Never a 5xx; every refusal is
 * problem+json and changes nothing (rule 7).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../support/dynamodb.js';
import { reportFigure } from '../support/figures.js';
import { call, post, productIds } from '../support/api.js';
import { readState } from '../support/invariants.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
let product: number;
let tried = 0;

const snapshot = async () => JSON.stringify(await readState(), (_k, v) => (v instanceof Map ? [...v.entries()] : v));

async function expectRefusedOrValid(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  tried++;
  const before = await snapshot();
  const res = await call(method, path, body, headers);
  expect(
    res.status,
    `${method} ${path} ${String(typeof body === 'string' ? body : JSON.stringify(body)).slice(0, 200)}`,
  ).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.status).toBe(res.status);
    expect(await snapshot()).toBe(before);
  }
  return res;
}

const HOSTILE: unknown[] = [
  '5',
  2 ** 53 + 1,
  -0.5,
  1.5,
  -1,
  0,
  null,
  true,
  [],
  {},
  'x'.repeat(10_000),
  '名前💥',
  { $ne: 1 },
  [[[[[[1]]]]]],
];
const RAW_HOSTILE = [
  '1e309',
  '{"requested":[{"product_id":1e309,"quantity":1}]}',
  '{"requested":[{"product_id":0,"quantity":1,"quantity":1000}]}',
  '{"__proto__":{"polluted":true},"requested":[{"product_id":0,"quantity":1}]}',
  '{"constructor":{"prototype":{"polluted":true}},"requested":[]}',
  `[${'['.repeat(5000)}${']'.repeat(5000)}]`,
  `"${'a'.repeat(300 * 1024)}"`,
  '{"requested": [',
  '',
  '\u0000',
];
const ROUTES = ['/inventory/init_catalog', '/inventory/process_restock', '/inventory/process_order'];

describe('bad input', () => {
  beforeAll(async () => {
    await createTestTable('bad-input');
    product = productIds(1)[0]!;
    await post('/inventory/init_catalog', [{ product_id: product, product_name: 'P', mass_g: 100 }]);
    await post('/inventory/process_restock', [{ product_id: product, quantity: 5 }]);
  });

  it(
    'arbitrary JSON bodies on every POST route',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...ROUTES), fc.jsonValue({ maxDepth: 4 }), async (route, body) => {
          await expectRefusedOrValid('POST', route, body);
        }),
        { numRuns: 40 * RUNS },
      );
    },
    150_000 * RUNS,
  );

  it('hostile values in every field of otherwise valid bodies', async () => {
    const valid: Record<string, (v: unknown) => unknown[]> = {
      '/inventory/init_catalog': (v) => [
        [{ product_id: v, product_name: 'P', mass_g: 100 }],
        [{ product_id: product, product_name: v, mass_g: 100 }],
        [{ product_id: product, product_name: 'P', mass_g: v }],
      ],
      '/inventory/process_restock': (v) => [
        [{ product_id: v, quantity: 1 }],
        [{ product_id: product, quantity: v }],
        v,
      ],
      '/inventory/process_order': (v) => [
        { order_id: v, requested: [{ product_id: product, quantity: 1 }] },
        { requested: [{ product_id: v, quantity: 1 }] },
        { requested: [{ product_id: product, quantity: v }] },
        { requested: v },
      ],
    };
    for (const route of ROUTES) {
      for (const value of HOSTILE) {
        for (const body of valid[route]!(value)) {
          const res = await expectRefusedOrValid('POST', route, body);
          // Only a product name or an order id may legitimately be such a value.
          if (res.status < 400)
            expect(
              ['P', 'x'.repeat(10_000), '名前💥', 0].some((ok) => JSON.stringify(body).includes(JSON.stringify(ok))),
            ).toBe(true);
        }
      }
    }
  });

  it('raw hostile bodies and wrong content types', async () => {
    for (const route of ROUTES) {
      for (const raw of RAW_HOSTILE) await expectRefusedOrValid('POST', route, raw);
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
        'multipart/form-data',
      ]) {
        const res = await expectRefusedOrValid('POST', route, '[]', { 'content-type': type });
        expect(res.status).toBe(415);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('arbitrary order ids in the path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 300 }), async (segment) => {
        tried++;
        const res = await call('GET', `/inventory/orders/${encodeURIComponent(segment)}`);
        // 200 only for an order that exists (the hostile-values test may have created order 0).
        expect([200, 404]).toContain(res.status);
        if (res.status === 404) expect(res.headers['content-type']).toBe('application/problem+json');
        else expect(String(res.body.order_id)).toBe(segment);
      }),
      { numRuns: 40 * RUNS },
    );
    reportFigure(`bad input: ${tried} hostile requests tried, no 5xx, no state change on refusal`);
  });
});
