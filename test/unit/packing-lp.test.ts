import { describe, expect, it } from 'vitest';
import { drawFamilyEvent } from '../../bench/packing-families.js';
import { seededRandom } from '../../bench/lib.js';
import { firstFitDecreasingGroups } from '../../functions/domain/packing/first-fit-decreasing.js';
import { solveLpRelaxation } from '../../functions/domain/packing/lower-bound.js';
import type { MassGroups } from '../../functions/domain/packing/mass-groups.js';

function groupsOf(units: { mass_g: number; quantity: number }[]): MassGroups {
  const byMass = new Map<number, number>();
  for (const u of units) byMass.set(u.mass_g, (byMass.get(u.mass_g) ?? 0) + u.quantity);
  const masses = [...byMass.keys()].sort((a, b) => b - a);
  return { masses, counts: masses.map((m) => byMass.get(m)!) };
}

function lpWork(groups: MassGroups, pool: readonly (readonly number[])[]): { bound: number; work: number } {
  let work = 0;
  const budget = {
    spend: (units: number) => {
      work += units;
      return true;
    },
  };
  return { bound: solveLpRelaxation(groups, budget, Infinity, 0, pool).bound, work };
}

describe('the LP bound (column generation)', () => {
  // Scholl set 1 style events (100 units, about 95 distinct masses): started from the one-mass
  // packages the simplex needs hundreds of pivots and knapsacks to find full packages that the
  // first-fit-decreasing packing already has. Priced first, they cut the work by more than half.
  it('reaches the same bound for less than half the work when a packing seeds its pool of packages', () => {
    const rnd = seededRandom(1_000_003 + 17 * 5);
    let withPool = 0;
    let without = 0;
    for (let e = 0; e < 10; e++) {
      const groups = groupsOf(drawFamilyEvent('scholl1', rnd).units);
      const plain = lpWork(groups, []);
      const seeded = lpWork(
        groups,
        firstFitDecreasingGroups(groups).map((pattern) => pattern.counts),
      );
      expect(seeded.bound).toBe(plain.bound);
      withPool += seeded.work;
      without += plain.work;
    }
    expect(withPool).toBeLessThan(0.5 * without);
  });
});
