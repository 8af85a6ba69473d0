import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstFitDecreasing,
  lowerBoundL2,
  packUnits,
  PACKAGE_LIMIT_G,
  type PackagePattern,
  type UnitsToPack,
} from '../../functions/domain/packing.js';

const count = (patterns: PackagePattern[]) => patterns.reduce((n, p) => n + p.count, 0);

/** Every package valid (1..1800 g, at least one unit, stated mass right) and every unit packed once. */
function expectValid(units: UnitsToPack[], patterns: PackagePattern[]): void {
  const mass = new Map(units.map((u) => [u.product_id, u.mass_g]));
  const wanted = new Map<number, number>();
  for (const u of units) wanted.set(u.product_id, (wanted.get(u.product_id) ?? 0) + u.quantity);
  const packed = new Map<number, number>();
  for (const p of patterns) {
    expect(p.count).toBeGreaterThanOrEqual(1);
    const m = p.lines.reduce((s, l) => s + l.quantity * mass.get(l.product_id)!, 0);
    expect(m).toBe(p.mass_g);
    expect(m).toBeLessThanOrEqual(PACKAGE_LIMIT_G);
    expect(p.lines.reduce((s, l) => s + l.quantity, 0)).toBeGreaterThanOrEqual(1);
    for (const l of p.lines) packed.set(l.product_id, (packed.get(l.product_id) ?? 0) + l.quantity * p.count);
  }
  expect(packed).toEqual(wanted);
}

/** The true minimum by exhaustive search: each unit into an open package or a new one. */
function bruteForceMinimum(masses: number[]): number {
  const sorted = [...masses].sort((a, b) => b - a);
  let best = sorted.length;
  const loads: number[] = [];
  const place = (i: number): void => {
    if (loads.length >= best) return;
    if (i === sorted.length) {
      best = loads.length;
      return;
    }
    const m = sorted[i]!;
    const tried = new Set<number>();
    for (let b = 0; b < loads.length; b++) {
      if (loads[b]! + m > PACKAGE_LIMIT_G || tried.has(loads[b]!)) continue;
      tried.add(loads[b]!);
      loads[b]! += m;
      place(i + 1);
      loads[b]! -= m;
    }
    loads.push(m);
    place(i + 1);
    loads.pop();
  };
  place(0);
  return best;
}

const unitsArb = (maxProducts: number, maxQuantity: number, mass = fc.integer({ min: 1, max: 1800 })) =>
  fc.uniqueArray(fc.record({ product_id: fc.nat(1000), mass_g: mass, quantity: fc.integer({ min: 1, max: maxQuantity }) }), {
    minLength: 1,
    maxLength: maxProducts,
    selector: (u) => u.product_id,
  });

describe('packUnits', () => {
  it('packs the classic order {0: 2 x 700 g, 10: 4 x 300 g} into 2 packages', () => {
    const units = [
      { product_id: 0, mass_g: 700, quantity: 2 },
      { product_id: 10, mass_g: 300, quantity: 4 },
    ];
    const result = packUnits(units);
    expect(result.packageCount).toBe(2);
    expect(result.provenOptimal).toBe(true);
    expectValid(units, result.patterns);
  });

  it('beats first-fit-decreasing where FFD is not optimal', () => {
    // 40 light masses, 2 units each: FFD needs 5 packages, 4 suffice (total 7160 g).
    const units = Array.from({ length: 40 }, (_, i) => ({ product_id: i, mass_g: 70 + i, quantity: 2 }));
    expect(count(firstFitDecreasing(units))).toBe(5);
    const result = packUnits(units);
    expect(result.packageCount).toBe(4);
    expect(result.provenOptimal).toBe(true);
    expectValid(units, result.patterns);
  });

  it('finds the true minimum on small cases (brute force, up to 10 units)', () => {
    fc.assert(
      fc.property(unitsArb(5, 3, fc.integer({ min: 200, max: 1100 })), (units) => {
        const masses = units.flatMap((u) => Array.from({ length: u.quantity }, () => u.mass_g));
        fc.pre(masses.length <= 10);
        const result = packUnits(units);
        expectValid(units, result.patterns);
        return result.packageCount === bruteForceMinimum(masses) && result.provenOptimal;
      }),
      { numRuns: 300 },
    );
  });

  it('is valid, at most FFD and at least the L2 bound, which is at least the L1 bound', () => {
    fc.assert(
      fc.property(unitsArb(12, 40), (units) => {
        const result = packUnits(units);
        expectValid(units, result.patterns);
        const total = units.reduce((s, u) => s + u.mass_g * u.quantity, 0);
        const l2 = lowerBoundL2(units);
        return (
          result.packageCount <= count(firstFitDecreasing(units)) &&
          result.packageCount >= l2 &&
          l2 >= Math.ceil(total / PACKAGE_LIMIT_G) &&
          result.lowerBound <= result.packageCount
        );
      }),
      { numRuns: 200 },
    );
  });

  it('always proves the minimum up to 100 units, also for masses near a third of a package', () => {
    fc.assert(
      fc.property(unitsArb(30, 5, fc.integer({ min: 450, max: 650 })), (units) => {
        fc.pre(units.reduce((s, u) => s + u.quantity, 0) <= 100);
        const result = packUnits(units);
        expectValid(units, result.patterns);
        return result.provenOptimal && !result.usedFallback;
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same packages for the same units in any order', () => {
    fc.assert(
      fc.property(unitsArb(8, 20), (units) => {
        const a = packUnits(units);
        const b = packUnits([...units].reverse());
        expect(b.patterns).toEqual(a.patterns);
      }),
      { numRuns: 100 },
    );
  });

  it('packs a million units without listing them one by one', () => {
    const units = Array.from({ length: 100 }, (_, i) => ({ product_id: i, mass_g: 1 + i * 17, quantity: 10_000 }));
    const result = packUnits(units);
    expectValid(units, result.patterns);
    expect(result.patterns.length).toBeLessThan(10_000);
    expect(result.packageCount).toBeLessThanOrEqual(count(firstFitDecreasing(units)));
  });

  it('refuses a mass over 1800 g', () => {
    expect(() => packUnits([{ product_id: 1, mass_g: 1801, quantity: 1 }])).toThrow(RangeError);
  });
});
