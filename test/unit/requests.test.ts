import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError, InvalidValueError, MalformedRequestError } from '../../functions/domain/errors.js';
import { PROBLEM_TYPES } from '../../functions/http/problem.js';
import { mergeLines } from '../../functions/domain/lines.js';
import {
  MAX_INTEGER_ORDER_ID,
  isStringOrderId,
  newOrderId,
  orderIdFromKey,
  orderIdKey,
  parseOrderIdPath,
} from '../../functions/domain/order-id.js';
import {
  MAX_LISTED_ERRORS,
  formatPath,
  parseCatalogRequest,
  parseOrderRequest,
  parseRestockEventDetail,
  parseRestockRequest,
} from '../../functions/domain/requests.js';

/** The error a parse throws, failing the test when it does not throw a DomainError. */
function failure(parse: (body: unknown) => unknown, body: unknown): DomainError {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(body)} to be refused`);
}

/** The status SPEC "Errors" gives the refusal (through the HTTP layer's one table). */
function statusOf(parse: (body: unknown) => unknown, body: unknown): number {
  return PROBLEM_TYPES[failure(parse, body).kind].status;
}

function paths(parse: (body: unknown) => unknown, body: unknown): string[] {
  return failure(parse, body).errors.map((e) => e.path);
}

const line = (product_id: unknown, quantity: unknown) => ({ product_id, quantity });
const order = (requested: unknown, extra: Record<string, unknown> = {}) => ({ ...extra, requested });

describe('mergeLines', () => {
  it('sums lines of the same product and sorts by product_id', () => {
    expect(mergeLines([line(5, 2), line(1, 1), line(5, 3), line(0, 7)] as never)).toEqual([
      { product_id: 0, quantity: 7 },
      { product_id: 1, quantity: 1 },
      { product_id: 5, quantity: 5 },
    ]);
  });

  it('sorts numerically, not as strings', () => {
    expect(mergeLines([line(10, 1), line(9, 1)] as never).map((l) => l.product_id)).toEqual([9, 10]);
  });

  it('keeps every unit and gives one line per product (property)', () => {
    const lines = fc.array(fc.record({ product_id: fc.nat(20), quantity: fc.integer({ min: 1, max: 10_000 }) }));
    fc.assert(
      fc.property(lines, (given) => {
        const merged = mergeLines(given);
        const ids = merged.map((l) => l.product_id);
        expect(ids).toEqual([...new Set(given.map((l) => l.product_id))].sort((a, b) => a - b));
        for (const { product_id, quantity } of merged) {
          const total = given.filter((l) => l.product_id === product_id).reduce((s, l) => s + l.quantity, 0);
          expect(quantity).toBe(total);
        }
      }),
    );
  });
});

describe('order ids', () => {
  it('names an integer id by an all-digit path segment in canonical spelling only', () => {
    expect(parseOrderIdPath('0')).toBe(0);
    expect(parseOrderIdPath('123')).toBe(123);
    expect(parseOrderIdPath(String(MAX_INTEGER_ORDER_ID))).toBe(MAX_INTEGER_ORDER_ID);
    expect(parseOrderIdPath('9007199254740992')).toBeUndefined(); // 2^53
    expect(parseOrderIdPath('007')).toBeUndefined();
    expect(parseOrderIdPath('00')).toBeUndefined();
  });

  it('names a string id by any other segment matching the pattern', () => {
    expect(parseOrderIdPath('abc')).toBe('abc');
    expect(parseOrderIdPath('A-z_0.9:x')).toBe('A-z_0.9:x');
    expect(parseOrderIdPath('12a')).toBe('12a');
    expect(parseOrderIdPath('a:b.x')).toBe('a:b.x');
    expect(parseOrderIdPath('x'.repeat(128))).toBe('x'.repeat(128));
    expect(parseOrderIdPath('x'.repeat(129))).toBeUndefined();
    for (const bad of ['', 'a b', 'a/b', 'é', ' 1', 'a%ZZ', '%2F', '+1', '1E3!', 'x'.repeat(129)]) {
      expect(parseOrderIdPath(bad), bad).toBeUndefined();
    }
    // Not integers, but valid string ids: they hold a non-digit and only pattern characters.
    expect(parseOrderIdPath('-1')).toBe('-1');
    expect(parseOrderIdPath('1.0')).toBe('1.0');
    // Percent-escapes: test/unit/order-id-path.test.ts (the parameter arrives decoded once).
  });

  it('keys integers and strings apart, and reads keys back with their type', () => {
    expect(orderIdKey(42)).toBe('42');
    expect(orderIdKey(-0)).toBe('0');
    expect(orderIdKey('o-42')).toBe('o-42');
    expect(orderIdFromKey('42')).toBe(42);
    expect(orderIdFromKey('o-42')).toBe('o-42');
    fc.assert(
      fc.property(
        fc.oneof(fc.maxSafeNat(), fc.stringMatching(/^[A-Za-z0-9_.:-]{0,20}[a-z][A-Za-z0-9_.:-]{0,20}$/)),
        (id) => {
          expect(orderIdFromKey(orderIdKey(id))).toBe(id);
        },
      ),
    );
  });

  it('assigns string ids that match the pattern, differ, and sort by time', () => {
    const a = newOrderId(1_000);
    const b = newOrderId(2_000);
    expect(isStringOrderId(a)).toBe(true);
    expect(a).toMatch(/^o-/);
    expect(a.length).toBeLessThanOrEqual(128);
    expect(a < b).toBe(true);
    expect(newOrderId()).not.toBe(newOrderId());
    expect(parseOrderIdPath(a)).toBe(a);
  });
});

describe('parseOrderRequest', () => {
  it('returns the order id with its JSON type and merged lines', () => {
    expect(parseOrderRequest({ order_id: 7, requested: [line(2, 1), line(1, 3), line(2, 4)] })).toEqual({
      orderId: 7,
      lines: [line(1, 3), line(2, 5)],
    });
    expect(parseOrderRequest({ order_id: 'a7', requested: [line(2, 1)] }).orderId).toBe('a7');
    expect(parseOrderRequest(order([line(2, 1)]))).toEqual({ lines: [line(2, 1)] });
    expect('orderId' in parseOrderRequest(order([line(2, 1)]))).toBe(false);
  });

  it('accepts integer ids 0..2^53-1 and string ids of 1..128 pattern characters', () => {
    for (const id of [0, MAX_INTEGER_ORDER_ID, 'a', 'x'.repeat(128), '0.5', 'A-Z_a.z:09', '1-2', 'e']) {
      expect(parseOrderRequest(order([line(1, 1)], { order_id: id })).orderId).toBe(id);
    }
    expect(Object.is(parseOrderRequest(order([line(1, 1)], { order_id: -0 })).orderId, 0)).toBe(true);
  });

  it.each([
    ['all-digit string', '123'],
    ['empty string', ''],
    ['129 characters', 'x'.repeat(129)],
    ['space', 'a b'],
    ['slash', 'a/b'],
    ['non-ASCII', 'ordré'],
    ['2^53', 2 ** 53],
    ['negative', -1],
    ['fraction', 1.5],
    ['Infinity', Infinity],
  ])('refuses order_id %s with 422', (_, id) => {
    const error = failure(parseOrderRequest, order([line(1, 1)], { order_id: id }));
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error.errors).toEqual([{ path: 'order_id', message: expect.stringContaining('at least one non-digit') }]);
  });

  it.each([
    ['null', null],
    ['boolean', true],
    ['array', [1]],
    ['object', { id: 1 }],
  ])('refuses order_id of the wrong JSON type (%s) with 400', (_, id) => {
    const error = failure(parseOrderRequest, order([line(1, 1)], { order_id: id }));
    expect(error).toBeInstanceOf(MalformedRequestError);
    expect(error.errors.map((e) => e.path)).toEqual(['order_id']);
  });

  it('answers 400 for a body of the wrong type or a missing field', () => {
    for (const body of [null, [], 'x', 5, true, {}, { requested: {} }, { requested: null }, { requested: [5] }]) {
      expect(statusOf(parseOrderRequest, body), JSON.stringify(body)).toBe(400);
    }
    expect(statusOf(parseOrderRequest, order([{ product_id: 1 }]))).toBe(400);
    expect(statusOf(parseOrderRequest, order([line('1', 1)]))).toBe(400);
    expect(statusOf(parseOrderRequest, order([line(1, '5')]))).toBe(400);
    expect(statusOf(parseOrderRequest, order([line(1, null)]))).toBe(400);
    expect(failure(parseOrderRequest, {}).errors).toEqual([{ path: 'requested', message: 'is required' }]);
  });

  it('answers 422 for a disallowed value of the right type', () => {
    for (const requested of [
      [],
      Array.from({ length: 101 }, () => line(1, 1)),
      [line(1, 0)],
      [line(1, 10_001)],
      [line(1, 1.5)],
      [line(-1, 1)],
      [line(2 ** 53, 1)],
      [line(2 ** 53 + 2, 1)],
      [line(0.5, 1)],
      [line(1, Infinity)],
      [line(1, -Infinity)],
    ]) {
      expect(statusOf(parseOrderRequest, order(requested)), JSON.stringify(requested)).toBe(422);
    }
  });

  it('accepts the limits themselves', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => line(i, 100));
    expect(parseOrderRequest(order(hundred)).lines).toHaveLength(100);
    expect(parseOrderRequest(order([line(7, 10_000)])).lines).toEqual([line(7, 10_000)]);
    expect(parseOrderRequest(order([line(Number.MAX_SAFE_INTEGER, 1)])).lines).toEqual([
      line(Number.MAX_SAFE_INTEGER, 1),
    ]);
    // Lines of one product merge; their sum is within the order's 10,000 units.
    expect(parseOrderRequest(order([line(1, 5_000), line(1, 5_000)])).lines).toEqual([line(1, 10_000)]);
  });

  it('refuses more than 10,000 units in all (SPEC v2), however they are split', () => {
    const cases = [
      [line(1, 10_000), line(2, 1)],
      [line(1, 5_001), line(1, 5_000)],
      Array.from({ length: 100 }, (_, i) => line(i, 101)),
    ];
    for (const lines of cases) {
      const error = failure(parseOrderRequest, order(lines));
      expect(statusOf(parseOrderRequest, order(lines))).toBe(422);
      expect(error.errors).toEqual([{ path: 'requested', message: expect.stringMatching(/at most 10000 units/) }]);
    }
  });

  it('treats -0 as the integer 0', () => {
    const [merged] = parseOrderRequest(order([line(-0, 1), line(0, 2)])).lines;
    expect(merged).toEqual(line(0, 3));
    expect(Object.is(merged!.product_id, 0)).toBe(true);
  });

  it('lists every bad field with its path, and 400 wins over 422', () => {
    const error = failure(
      parseOrderRequest,
      order([line(1, 1), line(1, 1.5), line('x', 0), 7, {}], { order_id: '123' }),
    );
    expect(error).toBeInstanceOf(MalformedRequestError);
    expect(error.errors).toEqual([
      { path: 'order_id', message: expect.any(String) },
      { path: 'requested[1].quantity', message: 'must be an integer from 1 to 10000' },
      { path: 'requested[2].product_id', message: expect.stringContaining('not a string') },
      { path: 'requested[2].quantity', message: 'must be an integer from 1 to 10000' },
      { path: 'requested[3]', message: expect.stringContaining('must be an object') },
      { path: 'requested[4].product_id', message: 'is required' },
      { path: 'requested[4].quantity', message: 'is required' },
    ]);
    // The detail explains the answer with a 400 problem, not the first (422) one.
    expect(error.detail).toMatch(/^requested\[2\]\.product_id/);
  });

  it('lists the count problem together with field problems', () => {
    const requested = [...Array.from({ length: 100 }, () => line(1, 1)), line(1, 0)];
    expect(paths(parseOrderRequest, order(requested))).toEqual(['requested', 'requested[100].quantity']);
  });

  it('ignores unknown fields, including __proto__ and constructor', () => {
    const body = JSON.parse(
      '{"requested":[{"product_id":1,"quantity":1,"__proto__":{"admin":true},"note":"x"}],' +
        '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"extra":1}',
    );
    const parsed = parseOrderRequest(body);
    expect(parsed).toEqual({ lines: [line(1, 1)] });
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(parsed.lines[0])).toBe(Object.prototype);
    expect(Object.keys(parsed.lines[0]!)).toEqual(['product_id', 'quantity']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('parseRestockRequest and parseRestockEventDetail', () => {
  it('merges lines and lets the merged quantity pass the per-line limit', () => {
    expect(parseRestockRequest([line(3, 1_000_000), line(1, 1), line(3, 1_000_000)])).toEqual([
      { ...line(1, 1), lot: null, path: '[1]' },
      { ...line(3, 2_000_000), lot: null, path: '[0]' },
    ]);
    expect(parseRestockEventDetail({ restock: [line(3, 1), line(3, 2)] })).toEqual([
      { ...line(3, 3), lot: null, path: 'restock[0]' },
    ]);
  });

  it('merges lines by product and lot, the unnamed lot first, and normalizes expiry to UTC', () => {
    const lot = (id: number, q: number, name: string | null, expires_at?: string) => ({
      ...line(id, q),
      lot: name,
      ...(expires_at ? { expires_at } : {}),
    });
    expect(
      parseRestockRequest([
        lot(1, 2, 'B', '2026-12-05T08:00:00+02:00'),
        lot(1, 1, null),
        lot(1, 3, 'A'),
        lot(1, 4, 'B'),
        lot(1, 5, 'A', '2026-12-09T00:00:00Z'),
      ]).map(({ path: _, ...l }) => l),
    ).toEqual([
      { product_id: 1, quantity: 1, lot: null },
      { product_id: 1, quantity: 8, lot: 'A', expiresAt: '2026-12-09T00:00:00.000Z' },
      { product_id: 1, quantity: 6, lot: 'B', expiresAt: '2026-12-05T06:00:00.000Z' },
    ]);
  });

  it('refuses the lot rules a request alone breaks: expires_at without a lot, two expiries for one lot (422)', () => {
    expect(failure(parseRestockRequest, [{ ...line(1, 1), expires_at: '2026-12-05T00:00:00Z' }]).errors).toEqual([
      { path: '[0].expires_at', message: 'needs a lot: the unnamed lot never expires' },
    ]);
    const twice = [
      { ...line(1, 1), lot: 'A', expires_at: '2026-12-05T00:00:00Z' },
      { ...line(1, 1), lot: 'A', expires_at: '2026-12-06T00:00:00Z' },
    ];
    expect(statusOf(parseRestockRequest, twice)).toBe(422);
    expect(paths(parseRestockRequest, twice)).toEqual(['[1].expires_at']);
    // The same instant in another offset is the same expiry.
    expect(parseRestockRequest([twice[0]!, { ...twice[0]!, expires_at: '2026-12-05T01:00:00+01:00' }])).toHaveLength(1);
  });

  it('refuses a bad lot or expires_at: a bad value is 422, a wrong JSON type 400', () => {
    expect(statusOf(parseRestockRequest, [{ ...line(1, 1), lot: 'with space' }])).toBe(422);
    expect(statusOf(parseRestockRequest, [{ ...line(1, 1), lot: 'A', expires_at: '2026-12-05' }])).toBe(422);
    expect(statusOf(parseRestockRequest, [{ ...line(1, 1), lot: 'A', expires_at: '2026-12-05T00:00:00' }])).toBe(422);
    expect(statusOf(parseRestockRequest, [{ ...line(1, 1), lot: 7 }])).toBe(400);
    expect(statusOf(parseRestockRequest, [{ ...line(1, 1), lot: 'A', expires_at: 7 }])).toBe(400);
    expect(parseRestockRequest([{ ...line(1, 1), lot: null, expires_at: null }])).toEqual([
      { ...line(1, 1), lot: null, path: '[0]' },
    ]);
  });

  it('applies the 1..1000 line and 1..1,000,000 quantity limits', () => {
    const thousand = Array.from({ length: 1000 }, (_, i) => line(i, 1));
    expect(parseRestockRequest(thousand)).toHaveLength(1000);
    expect(failure(parseRestockRequest, [...thousand, line(0, 1)]).errors).toEqual([
      { path: '', message: 'must hold 1 to 1000 lines; it has 1001' },
    ]);
    expect(statusOf(parseRestockRequest, [])).toBe(422);
    expect(statusOf(parseRestockRequest, [line(1, 1_000_001)])).toBe(422);
    expect(statusOf(parseRestockRequest, [line(1, 0)])).toBe(422);
    expect(parseRestockRequest([line(1, 1_000_000)])).toEqual([{ ...line(1, 1_000_000), lot: null, path: '[0]' }]);
  });

  it('reports paths from the root of the array', () => {
    expect(paths(parseRestockRequest, [line(1, 1), line(1, 1), line(1, 2.5), { quantity: 1 }])).toEqual([
      '[2].quantity',
      '[3].product_id',
    ]);
  });

  it('answers 400 for the wrong shape', () => {
    for (const body of [{}, { restock: [] }, null, 'x', [[]], [line(1, '1')], [line(1, true)]]) {
      expect(statusOf(parseRestockRequest, body), JSON.stringify(body)).toBe(400);
    }
  });

  it('parses an EventBridge detail with restock[...] paths', () => {
    expect(failure(parseRestockEventDetail, { restock: [line(1, 0), line('a', 1)] }).errors.map((e) => e.path)).toEqual(
      ['restock[0].quantity', 'restock[1].product_id'],
    );
    expect(statusOf(parseRestockEventDetail, [line(1, 1)])).toBe(400);
    expect(statusOf(parseRestockEventDetail, {})).toBe(400);
    expect(statusOf(parseRestockEventDetail, null)).toBe(400);
    expect(failure(parseRestockEventDetail, { restock: [] }).errors).toEqual([
      { path: 'restock', message: 'must hold 1 to 1000 lines; it has 0' },
    ]);
  });

  it('reads 2^53+1 and 1e309 from JSON as out of range (422)', () => {
    const body = JSON.parse('[{"product_id":9007199254740993,"quantity":1e309}]');
    const error = failure(parseRestockRequest, body);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error.errors.map((e) => e.path)).toEqual(['[0].product_id', '[0].quantity']);
  });
});

describe('parseCatalogRequest', () => {
  const product = (product_id: unknown, product_name: unknown, mass_g: unknown) => ({
    product_id,
    product_name,
    mass_g,
  });

  it('returns entries in the order given, with product_id optional', () => {
    expect(parseCatalogRequest([product(2, 'RBC A+', 700), { product_name: 'Plasma', mass_g: 200 }])).toEqual([
      product(2, 'RBC A+', 700),
      { product_name: 'Plasma', mass_g: 200 },
    ]);
  });

  it('applies the name, mass and count rules with 422', () => {
    expect(statusOf(parseCatalogRequest, [product(1, '', 1)])).toBe(422);
    expect(statusOf(parseCatalogRequest, [product(1, 'x'.repeat(201), 1)])).toBe(422);
    expect(statusOf(parseCatalogRequest, [product(1, 'x', 0)])).toBe(422);
    expect(statusOf(parseCatalogRequest, [product(1, 'x', 1801)])).toBe(422);
    expect(statusOf(parseCatalogRequest, [product(1, 'x', 700.5)])).toBe(422);
    expect(statusOf(parseCatalogRequest, [product(-1, 'x', 1)])).toBe(422);
    expect(statusOf(parseCatalogRequest, [])).toBe(422);
    expect(
      statusOf(
        parseCatalogRequest,
        Array.from({ length: 1001 }, (_, i) => product(i, 'x', 1)),
      ),
    ).toBe(422);
    expect(parseCatalogRequest(Array.from({ length: 1000 }, (_, i) => product(i, 'x', 1800)))).toHaveLength(1000);
    expect(parseCatalogRequest([product(0, 'x'.repeat(200), 1)])).toHaveLength(1);
  });

  it('counts the name in characters (code points), not UTF-16 units', () => {
    const blood = '🩸'.repeat(200); // 400 UTF-16 units, 200 characters
    expect(parseCatalogRequest([product(1, blood, 1)])[0]!.product_name).toBe(blood);
    expect(statusOf(parseCatalogRequest, [product(1, `${blood}🩸`, 1)])).toBe(422);
  });

  it('drops unknown fields, so a __proto__ key never becomes a prototype', () => {
    const [entry] = parseCatalogRequest(
      JSON.parse('[{"product_name":"x","mass_g":1,"__proto__":{"product_id":5,"polluted":true},"colour":"red"}]'),
    );
    expect(entry).toEqual({ product_name: 'x', mass_g: 1 });
    expect(Object.keys(entry!)).toEqual(['product_name', 'mass_g']);
    expect(Object.getPrototypeOf(entry)).toBe(Object.prototype);
    expect(entry!.product_id).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a name holding a lone surrogate', () => {
    expect(failure(parseCatalogRequest, [product(1, 'a\ud800b', 1)]).errors).toEqual([
      { path: '[0].product_name', message: expect.stringContaining('lone surrogate') },
    ]);
  });

  it('answers 400 for wrong types and missing fields', () => {
    expect(statusOf(parseCatalogRequest, [product('1', 'x', 1)])).toBe(400);
    expect(statusOf(parseCatalogRequest, [product(1, 5, 1)])).toBe(400);
    expect(statusOf(parseCatalogRequest, [product(1, 'x', '1')])).toBe(400);
    expect(statusOf(parseCatalogRequest, [product(null, 'x', 1)])).toBe(400);
    expect(statusOf(parseCatalogRequest, [{ product_id: 1, mass_g: 1 }])).toBe(400);
    expect(statusOf(parseCatalogRequest, { products: [] })).toBe(400);
    expect(failure(parseCatalogRequest, [{ product_id: 1 }]).errors).toEqual([
      { path: '[0].product_name', message: 'is required' },
      { path: '[0].mass_g', message: 'is required' },
    ]);
  });

  it('refuses a product_id given twice, at the later occurrence, alongside other problems', () => {
    const error = failure(parseCatalogRequest, [
      product(3, 'a', 1),
      product(4, 'b', 1900),
      product(3, 'c', 1),
      product(-0, 'd', 1),
      product(0, 'e', 1),
    ]);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect(error.errors).toEqual([
      { path: '[1].mass_g', message: 'must be an integer from 1 to 1800' },
      { path: '[2].product_id', message: expect.stringContaining('already given at [0]') },
      { path: '[4].product_id', message: expect.stringContaining('already given at [3]') },
    ]);
  });

  it('stops listing at MAX_LISTED_ERRORS but still counts and classifies all', () => {
    const error = failure(parseCatalogRequest, [
      ...Array.from({ length: MAX_LISTED_ERRORS + 10 }, () => product(1, 'x', 0)),
      5,
    ]);
    expect(error).toBeInstanceOf(MalformedRequestError); // the one 400 is past the listing cap, yet it decides
    expect(error.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(error.detail).toContain(`the first ${MAX_LISTED_ERRORS} are listed`);
  });
});

describe('formatPath', () => {
  it('writes indexes in brackets and keys with dots', () => {
    expect(formatPath([])).toBe('');
    expect(formatPath([2, 'quantity'])).toBe('[2].quantity');
    expect(formatPath(['requested', 0, 'product_id'])).toBe('requested[0].product_id');
    expect(formatPath(['order_id'])).toBe('order_id');
    expect(formatPath(['a b', 0])).toBe('["a b"][0]');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: whatever JSON arrives, a parse returns or throws a 400/422 DomainError, and no
// body can change Object.prototype.

const interestingKeys = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'requested',
  'order_id',
  'restock',
  'product_id',
  'product_name',
  'mass_g',
  'quantity',
);
const interestingNumbers = fc.constantFrom('-0', '0', '1', '1.5', '1e309', '-1e309', '9007199254740993', '1800', '1e2');

/** JSON text, so `__proto__` keys arrive as own properties exactly as from a request body. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', 'false', '""', '"123"', '"abc"'),
    interestingNumbers,
    fc.integer({ min: -3, max: 20_000 }).map(String),
    fc.string().map((s) => JSON.stringify(s)),
    fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(fc.oneof(interestingKeys, fc.string()), tie('value')), { maxLength: 5 })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** Bodies close to valid ones, so the properties also reach the success and 422 paths. */
const nearValidLine = fc.record({
  product_id: fc.oneof(fc.nat(5), fc.constantFrom(-1, 1.5, '1', null, 2 ** 53)),
  quantity: fc.oneof(fc.integer({ min: 1, max: 10 }), fc.constantFrom(0, 1.5, 10_001, '2', -0)),
});
const nearValidBodies = fc.oneof(
  fc.array(nearValidLine, { maxLength: 4 }),
  fc.record({ restock: fc.array(nearValidLine, { maxLength: 4 }) }),
  fc.record(
    {
      order_id: fc.oneof(fc.string(), fc.nat(), fc.constant('123')),
      requested: fc.array(nearValidLine, { maxLength: 4 }),
    },
    { requiredKeys: ['requested'] },
  ),
  fc.array(
    fc.record(
      { product_id: fc.nat(3), product_name: fc.string({ maxLength: 3 }), mass_g: fc.integer({ min: 0, max: 2000 }) },
      { requiredKeys: ['product_name', 'mass_g'] },
    ),
    { maxLength: 4 },
  ),
);

const parsers = { parseCatalogRequest, parseRestockRequest, parseOrderRequest, parseRestockEventDetail };

describe.each(Object.entries(parsers))('%s on arbitrary JSON', (_, parse) => {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  function check(body: unknown): void {
    try {
      parse(body);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const { kind, errors } = error as DomainError;
      expect(['malformedRequest', 'invalidValue']).toContain(kind);
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) expect(typeof e.path === 'string' && e.message.length > 0).toBe(true);
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }

  it('returns or throws a 400/422 DomainError for any JSON text', () => {
    fc.assert(
      fc.property(jsonText, (text) => check(JSON.parse(text))),
      { numRuns: 500 },
    );
  });

  it('returns or throws a 400/422 DomainError for near-valid bodies', () => {
    fc.assert(
      fc.property(nearValidBodies, (body) => check(JSON.parse(JSON.stringify(body)))),
      { numRuns: 500 },
    );
  });

  it('returns or throws a 400/422 DomainError for fast-check JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 300 });
  });
});

describe('valid orders round-trip (property)', () => {
  it('keeps the JSON type of order_id and the per-product totals', () => {
    // Up to 100 lines of up to 100 units: within the 10,000 units an order may hold.
    const lines = fc.array(fc.record({ product_id: fc.nat(50), quantity: fc.integer({ min: 1, max: 100 }) }), {
      minLength: 1,
      maxLength: 100,
    });
    const ids = fc.oneof(
      fc.maxSafeNat(),
      fc.stringMatching(/^[A-Za-z0-9_.:-]{0,10}[A-Za-z_.:-][A-Za-z0-9_.:-]{0,10}$/),
    );
    fc.assert(
      fc.property(ids, lines, (id, requested) => {
        const parsed = parseOrderRequest(JSON.parse(JSON.stringify({ order_id: id, requested })));
        expect(parsed.orderId).toBe(id);
        expect(parsed.lines).toEqual(mergeLines(requested));
      }),
    );
  });
});
