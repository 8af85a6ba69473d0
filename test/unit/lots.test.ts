/** Lots and expiry (SPEC v2, rules 9 and 10): first expired, first out; expired units are never usable. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterTakes,
  exceedsLotCap,
  fefoCompare,
  isUsable,
  type LotStock,
  MAX_LOTS_ON_HAND,
  mergeTakes,
  normalizeExpiry,
  planLaterPart,
  productsOverLotCap,
  restockLotProblems,
  splitTakes,
  takeFefo,
  usableUnits,
} from '../../functions/domain/lots.js';
import { planWriteOff } from '../../functions/domain/write-off-plan.js';

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
        { lot: 'soon', quantity: 3, expiresAt: at(24), empties: true },
        { lot: 'later', quantity: 2, expiresAt: at(72), empties: true },
        { lot: 'keeps', quantity: 5, expiresAt: null, empties: true },
        { lot: null, quantity: 2, expiresAt: null, empties: false },
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

describe('a later part of a restock under way (planLaterPart)', () => {
  // L48 expires in 48 hours, LNEVER never, R was recalled; L-NEW does not exist (yet).
  const lots: Record<string, { expiresAt: string | null; recalled: boolean }> = {
    L48: { expiresAt: at(48), recalled: false },
    LNEVER: { expiresAt: null, recalled: false },
    R: { expiresAt: at(48), recalled: true },
  };
  const plan = (lot: string | null, expiresAt: string | null) =>
    planLaterPart([{ product_id: 1, lot, quantity: 5, expiresAt }], (_, name) => lots[name])[0];

  it('lands units of the unnamed lot, of a new lot, and of a lot that expires no later than they do, under its expiry', () => {
    expect(plan(null, null)).toEqual({
      kind: 'lands',
      line: { product_id: 1, lot: null, quantity: 5, expiresAt: null },
    });
    expect(plan('L-NEW', at(24))).toMatchObject({ kind: 'lands', line: { lot: 'L-NEW', expiresAt: at(24) } });
    for (const own of [at(48), at(72), null]) {
      expect(plan('L48', own), String(own)).toMatchObject({ kind: 'lands', line: { lot: 'L48', expiresAt: at(48) } });
    }
    expect(plan('LNEVER', null)).toMatchObject({ kind: 'lands', line: { lot: 'LNEVER', expiresAt: null } });
  });

  it('writes off units of a recalled lot (recalled) and units that expire before their lot does (other)', () => {
    expect(plan('R', at(48))).toMatchObject({ kind: 'written-off', reason: 'recalled', line: { quantity: 5 } });
    expect(plan('L48', at(24))).toMatchObject({ kind: 'written-off', reason: 'other', line: { expiresAt: at(24) } });
    expect(plan('LNEVER', at(24))).toMatchObject({ kind: 'written-off', reason: 'other' });
  });
});

describe(`at most ${MAX_LOTS_ON_HAND} named lots on hand (exceedsLotCap, productsOverLotCap)`, () => {
  const lotsNamed = (n: number, prefix = 'L') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it("judges as the product's update does: once a lot is new, every lot of the restock counts as new", () => {
    expect(exceedsLotCap(lotsNamed(39), ['NEW'])).toBe(false);
    expect(exceedsLotCap(lotsNamed(40), ['NEW'])).toBe(true);
    expect(exceedsLotCap(lotsNamed(40), ['L0', 'L39'])).toBe(false);
    expect(exceedsLotCap(lotsNamed(38), ['L0', 'NEW', 'NEW2'])).toBe(true);
    expect(exceedsLotCap([], lotsNamed(40, 'N'))).toBe(false);
    expect(exceedsLotCap([], lotsNamed(41, 'N'))).toBe(true);
  });

  it('names the products a restock would leave over the cap; the unnamed lot never counts', () => {
    const onHand: Record<number, LotStock[]> = {
      1: [
        { lot: null, quantity: 9, expiresAt: null },
        ...lotsNamed(40).map((lot) => ({ lot, quantity: 1, expiresAt: null })),
      ],
      2: lotsNamed(39).map((lot) => ({ lot, quantity: 1, expiresAt: null })),
    };
    const lines = [
      { product_id: 2, lot: 'NEW' },
      { product_id: 1, lot: null },
      { product_id: 1, lot: 'L3' },
    ];
    expect(productsOverLotCap(lines, (id) => onHand[id]!)).toEqual([]);
    expect(productsOverLotCap([...lines, { product_id: 1, lot: 'NEW' }], (id) => onHand[id]!)).toEqual([1]);
    expect(productsOverLotCap([...lines, { product_id: 2, lot: 'NEW2' }], (id) => onHand[id]!)).toEqual([2]);
  });

  it('a later part lands new lots while they fit in line order and writes off the rest (other), if a product was refused', () => {
    const line = (lot: string | null) => ({ product_id: 1, lot, quantity: 5, expiresAt: at(24) });
    const lines = [line('NEW-A'), line(null), line('L0'), line('NEW-B'), line('NEW-C')];
    const kinds = (onHand: string[] | undefined) =>
      planLaterPart(
        lines,
        () => undefined,
        () => onHand,
      ).map((p) => (p.kind === 'lands' ? p.kind : `${p.reason}:${p.cause}`));
    expect(kinds(undefined)).toEqual(['lands', 'lands', 'lands', 'lands', 'lands']);
    // 37 on hand, L0 among them, counts in the cap: NEW-A and NEW-B fit (37 + 3 = 40), NEW-C does not.
    expect(kinds(lotsNamed(37))).toEqual(['lands', 'lands', 'lands', 'lands', 'other:too-many-lots']);
    expect(kinds(lotsNamed(40))).toEqual([
      'other:too-many-lots',
      'lands',
      'lands',
      'other:too-many-lots',
      'other:too-many-lots',
    ]);
    expect(kinds(lotsNamed(39))).toEqual([
      'other:too-many-lots',
      'lands',
      'lands',
      'other:too-many-lots',
      'other:too-many-lots',
    ]);
    expect(kinds(lotsNamed(38))).toEqual(['lands', 'lands', 'lands', 'other:too-many-lots', 'other:too-many-lots']);
  });
});

describe('dealing lots out (splitTakes, afterTakes, mergeTakes)', () => {
  it('deals takes in order to consecutive consumers, splitting a lot where a consumer ends', () => {
    const takes = [
      { lot: 'A', quantity: 3 },
      { lot: 'B', quantity: 4 },
    ];
    expect(splitTakes(takes, [2, 3, 2])).toEqual([
      [{ lot: 'A', quantity: 2 }],
      [
        { lot: 'A', quantity: 1 },
        { lot: 'B', quantity: 2 },
      ],
      [{ lot: 'B', quantity: 2 }],
    ]);
    expect(() => splitTakes(takes, [8])).toThrow(/1 units fewer/);
  });

  it('gives every consumer exactly its units, and all of them the takes in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), (quantities) => {
        const total = quantities.reduce((n, q) => n + q, 0);
        const takes = [
          { lot: 'A', quantity: Math.ceil(total / 3) },
          { lot: null, quantity: total - Math.ceil(total / 3) },
        ].filter((t) => t.quantity > 0);
        const dealt = splitTakes(takes, quantities);
        expect(dealt.map((d) => d.reduce((n, t) => n + t.quantity, 0))).toEqual(quantities);
        expect(mergeTakes(dealt.flat())).toEqual(takes);
      }),
    );
  });

  it('leaves a lot emptied by takes out, except the unnamed lot', () => {
    const lots: LotStock[] = [
      { lot: 'A', quantity: 2, expiresAt: at(1) },
      { lot: 'B', quantity: 5, expiresAt: null },
      { lot: null, quantity: 1, expiresAt: null },
    ];
    expect(
      afterTakes(lots, [
        { lot: 'A', quantity: 2 },
        { lot: 'B', quantity: 1 },
        { lot: null, quantity: 1 },
      ]),
    ).toEqual([
      { lot: 'B', quantity: 4, expiresAt: null },
      { lot: null, quantity: 0, expiresAt: null },
    ]);
  });
});

describe('planWriteOff', () => {
  const lots: LotStock[] = [
    { lot: 'OLD', quantity: 4, expiresAt: at(-1) },
    { lot: 'SOON', quantity: 3, expiresAt: at(5) },
    { lot: null, quantity: 10, expiresAt: null },
  ];
  const line = (quantity: number, lot: string | null = null) => ({
    product_id: 7,
    lot,
    quantity,
    reason: 'damaged' as const,
    note: null,
  });

  it('takes a line without a lot from the usable lots first expired first, a named line from its lot (even expired)', () => {
    const plan = planWriteOff([line(5), line(4, 'OLD')], () => lots, NOW);
    expect(plan.short).toEqual([]);
    expect(plan.lineTakes).toEqual([
      [
        { lot: 'SOON', quantity: 3 },
        { lot: null, quantity: 2 },
      ],
      [{ lot: 'OLD', quantity: 4 }],
    ]);
    expect(plan.productTakes.get(7)).toEqual([
      { lot: 'OLD', quantity: 4, expiresAt: at(-1), empties: true },
      { lot: 'SOON', quantity: 3, expiresAt: at(5), empties: true },
      { lot: null, quantity: 2, expiresAt: null, empties: false },
    ]);
  });

  it('plans named lines first, so a line without a lot never takes what another line names', () => {
    const plan = planWriteOff([line(11), line(3, 'SOON')], () => lots, NOW);
    expect(plan.lineTakes[1]).toEqual([{ lot: 'SOON', quantity: 3 }]);
    expect(planWriteOff([line(10), line(3, 'SOON')], () => lots, NOW).lineTakes[0]).toEqual([
      { lot: null, quantity: 10 },
    ]);
    expect(plan.short).toEqual([
      {
        line: 0,
        message: 'takes 11 units of product 7; 10 on hand and usable (4 more expired or recalled: name their lot)',
      },
    ]);
  });

  it('refuses a named lot with fewer units than the line takes', () => {
    expect(planWriteOff([line(5, 'OLD')], () => lots, NOW).short).toEqual([
      { line: 0, message: 'takes 5 units of lot OLD of product 7; 4 on hand' },
    ]);
    expect(planWriteOff([line(1, 'NONE')], () => lots, NOW).short).toHaveLength(1);
  });
});
