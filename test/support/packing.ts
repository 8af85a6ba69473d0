/** Packing checks shared by the packing tests. */
import fc from 'fast-check';
import { expect } from 'vitest';
import { PACKAGE_LIMIT_G, type PackagePattern, type UnitsToPack } from '../../functions/domain/packing.js';

/** Every package valid (1..1800 g, at least one unit, stated mass right) and every unit packed once. */
export function expectValid(units: UnitsToPack[], patterns: PackagePattern[]): void {
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

/** The true minimum number of packages by exhaustive search: each unit into an open package or a new one. */
export function bruteForceMinimum(masses: number[]): number {
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
    // Packages of equal load are interchangeable: try one of them.
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

/** Distinct masses within [min, max], heaviest first (the order of the packer's mass groups). */
export function massesHeaviestFirst(min: number, max: number, maxLength: number): fc.Arbitrary<number[]> {
  return fc
    .uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength })
    .map((masses) => masses.sort((a, b) => b - a));
}
