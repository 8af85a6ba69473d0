import { describe, expect, it } from 'vitest';
import { packUnits, PACKAGE_LIMIT_G, type UnitsToPack } from '../../functions/domain/packing.js';

/** mulberry32, as in bench/lib.ts: the same instances on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Falkenauer's triplets (1996) scaled from capacity 1000 to 1800 g: every triplet weighs exactly
 * 1800 g, so the optimum is the number of triplets and every package of it is exactly full, while
 * first-fit-decreasing needs several more. The classic hard case for exact searches.
 */
function triplets(count: number, seed: number): UnitsToPack[] {
  const rnd = seeded(seed);
  const between = (low: number, high: number) => low + Math.floor(rnd() * (high - low + 1));
  const masses: number[] = [];
  for (let t = 0; t < count; t++) {
    const first = between(684, 882);
    const second = between(450, Math.floor((PACKAGE_LIMIT_G - first) / 2));
    masses.push(first, second, PACKAGE_LIMIT_G - first - second);
  }
  for (let i = masses.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [masses[i], masses[j]] = [masses[j]!, masses[i]!];
  }
  return masses.map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 }));
}

function expectExactlyFull(units: UnitsToPack[], result: ReturnType<typeof packUnits>): void {
  const packed = new Map<number, number>();
  for (const pattern of result.patterns) {
    expect(pattern.mass_g).toBe(PACKAGE_LIMIT_G);
    for (const line of pattern.lines) {
      packed.set(line.product_id, (packed.get(line.product_id) ?? 0) + line.quantity * pattern.count);
    }
  }
  expect(packed).toEqual(new Map(units.map((u) => [u.product_id, u.quantity])));
}

describe('packUnits on the literature hard instances', () => {
  it.each([
    [20, 1],
    [20, 2],
    [20, 3],
    [33, 1],
    [33, 2],
    [33, 3],
  ])('reaches the known optimum of Falkenauer triplets: %i triplets, seed %i', (count, seed) => {
    const units = triplets(count, seed);
    const result = packUnits(units);
    expect(result.packageCount).toBe(count);
    expect(result.provenOptimal).toBe(true);
    expect(result.lowerBound).toBe(count);
    expectExactlyFull(units, result);
  });
});
