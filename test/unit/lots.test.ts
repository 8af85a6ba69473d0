/** Lots and expiry (SPEC v2, rules 9 and 10): first expired, first out; expired units are never usable. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fefoCompare,
  isUsable,
  type LotStock,
  normalizeExpiry,
  restockLotProblems,
  takeFefo,
  usableUnits,
} from '../../functions/domain/lots.js';

const NOW = '2026-12-01T12:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(NOW) + hours * 3_600_000).toISOString();

const lotArb: fc.Arbitrary<LotStock> = fc.record({
  lot: fc.option(fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'), { nil: null }),
  quantity: fc.integer({ min: 0, max: 20 }),
  expiresAt: fc.option(fc.integer({ min: -48, max: 240 }).map(at), { nil: null }),
  recalled: fc.boolean(),
});
/** A product's lots: one entry per name; the unnamed lot never expires and cannot be recalled. */
const lotsArb = fc
  .uniqueArray(lotArb, { selector: (l) => l.lot, maxLength: 6 })
  .map((lots) => lots.map((l) => (l.lot === null ? { ...l, expiresAt: null, recalled: false } : l)));

describe('first expired, first out (rule 9)', () => {
  it('takes from the usable lot that expires first, never-expiring named lots next, the unnamed lot last', () => {
    const lots: LotStock[] = [
      { lot: null, quantity: 5, expiresAt: null },
      { lot: 'keeps', quantity: 5, expiresAt: null },
      { lot: 'later', quantity: 2, expiresAt: at(72) },
      { lot: 'gone', quantity: 9, expiresAt: at(-1) },
      { lot: 'soon', quantity: 3, expiresAt: at(24) },
    ];
    expect(takeFefo(lots, 12, NOW)).toEqual({
      takes: [
        { lot: 'soon', quantity: 3 },
        { lot: 'later', quantity: 2 },
        { lot: 'keeps', quantity: 5 },
        { lot: null, quantity: 2 },
      ],
      short: 0,
    });
    expect(takeFefo(lots, 100, NOW).short).toBe(100 - 15);
  });

  it('orders ties of expiry by lot name', () => {
    const a = { lot: 'a', expiresAt: at(5) };
    const b = { lot: 'b', expiresAt: at(5) };
    expect([b, a].sort(fefoCompare)).toEqual([a, b]);
  });

  it('takes exactly what the usable lots hold, in FEFO order, never from an expired or recalled lot', () => {
    fc.assert(
      fc.property(lotsArb, fc.integer({ min: 1, max: 120 }), (lots, quantity) => {
        const { takes, short } = takeFefo(lots, quantity, NOW);
        const usable = usableUnits(lots, NOW);
        expect(takes.reduce((n, t) => n + t.quantity, 0)).toBe(Math.min(quantity, usable));
        expect(short).toBe(Math.max(0, quantity - usable));
        const byName = new Map(lots.map((l) => [l.lot, l]));
        takes.forEach((t, i) => {
          const lot = byName.get(t.lot)!;
          expect(isUsable(lot, NOW)).toBe(true);
          expect(t.quantity).toBeGreaterThan(0);
          expect(t.quantity).toBeLessThanOrEqual(lot.quantity);
          // Every lot before the last one taken is emptied; none taken comes before a usable one left untouched.
          if (i < takes.length - 1) expect(t.quantity).toBe(lot.quantity);
          if (i > 0) expect(fefoCompare(byName.get(takes[i - 1]!.lot)!, lot)).toBeLessThan(0);
        });
        const last = takes.at(-1);
        for (const l of lots) {
          if (!isUsable(l, NOW) || l.quantity === 0 || takes.some((t) => t.lot === l.lot)) continue;
          if (last) expect(fefoCompare(byName.get(last.lot)!, l)).toBeLessThan(0);
        }
      }),
    );
  });
});

describe('expiry (rule 10)', () => {
  it('a lot is unusable from its expiry instant on, and a recalled lot never is', () => {
    expect(isUsable({ expiresAt: at(1) }, NOW)).toBe(true);
    expect(isUsable({ expiresAt: NOW }, NOW)).toBe(false);
    expect(isUsable({ expiresAt: null }, NOW)).toBe(true);
    expect(isUsable({ expiresAt: null, recalled: true }, NOW)).toBe(false);
  });

  it('normalizes RFC 3339 times to UTC with milliseconds, and refuses anything else', () => {
    expect(normalizeExpiry('2026-12-05T08:00:00+02:00')).toBe('2026-12-05T06:00:00.000Z');
    expect(normalizeExpiry('2026-12-05T06:00:00Z')).toBe('2026-12-05T06:00:00.000Z');
    expect(normalizeExpiry('2026-12-05T06:00:00.5Z')).toBe('2026-12-05T06:00:00.500Z');
    for (const bad of ['2026-12-05', '2026-12-05T06:00:00', 'tomorrow', '2026-13-45T06:00:00Z']) {
      expect(normalizeExpiry(bad), bad).toBeUndefined();
    }
  });
});

describe('the lot rules of a restock', () => {
  const known = (productId: number, lot: string) =>
    productId === 1 && lot === 'L1'
      ? { expiresAt: at(48), recalled: false }
      : productId === 1 && lot === 'R'
        ? { expiresAt: at(48), recalled: true }
        : undefined;
  const line = (lot: string | null, expiresAt?: string) => ({
    path: '[0]',
    product_id: 1,
    lot,
    ...(expiresAt ? { expiresAt } : {}),
  });

  it('accepts a new lot with its expiry, a known lot with or without the same expiry, and unnamed units', () => {
    for (const ok of [line('L2', at(24)), line('L2'), line('L1'), line('L1', at(48)), line(null)]) {
      expect(restockLotProblems([ok], known, NOW), JSON.stringify(ok)).toEqual([]);
    }
  });

  it('refuses expires_at without a lot, another expiry for a known lot, an expired lot and a recalled one', () => {
    const problems = (l: ReturnType<typeof line>) => restockLotProblems([l], known, NOW).map((p) => p.path);
    expect(problems(line(null, at(24)))).toEqual(['[0].expires_at']);
    expect(problems(line('L1', at(24)))).toEqual(['[0].expires_at']);
    expect(problems(line('L3', at(-1)))).toEqual(['[0].lot']);
    expect(problems(line('L3', NOW))).toEqual(['[0].lot']);
    expect(problems(line('R'))).toEqual(['[0].lot']);
  });
});
