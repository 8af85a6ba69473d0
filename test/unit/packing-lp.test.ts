import fc from 'fast-check';
import { massesHeaviestFirst } from '../support/packing.js';
import { describe, expect, it } from 'vitest';
import { drawFamilyEvent, FAMILIES, type Family } from '../../bench/packing-families.js';
import { seededRandom } from '../../bench/lib.js';
import { firstFitDecreasingGroups } from '../../functions/domain/packing/first-fit-decreasing.js';
import {
  lowerBoundL2Groups,
  packageOfColumn,
  solveLpRelaxation,
  type LpOptions,
} from '../../functions/domain/packing/lower-bound.js';
import { PACKAGE_LIMIT_G, totalMass, type MassGroups } from '../../functions/domain/packing/mass-groups.js';

function groupsOf(units: { mass_g: number; quantity: number }[]): MassGroups {
  const byMass = new Map<number, number>();
  for (const u of units) byMass.set(u.mass_g, (byMass.get(u.mass_g) ?? 0) + u.quantity);
  const masses = [...byMass.keys()].sort((a, b) => b - a);
  return { masses, counts: masses.map((m) => byMass.get(m)!) };
}

/** Event `index` of `npx tsx bench/packing.ts --families <family>` (seed 1). */
function familyEvent(family: Family, index: number): MassGroups {
  const rnd = seededRandom(1_000_003 + 17 * (FAMILIES.indexOf(family) + 1));
  for (let e = 0; e < index; e++) drawFamilyEvent(family, rnd);
  return groupsOf(drawFamilyEvent(family, rnd).units);
}

function lpWork(groups: MassGroups, options: LpOptions): { bound: number; work: number } {
  let work = 0;
  const budget = {
    spend: (units: number) => {
      work += units;
      return true;
    },
  };
  return { bound: solveLpRelaxation(groups, budget, options).bound, work };
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
      const plain = lpWork(groups, { optimal: true });
      const seeded = lpWork(groups, {
        pool: firstFitDecreasingGroups(groups).map((pattern) => pattern.counts),
        optimal: true,
      });
      expect(seeded.bound).toBe(plain.bound);
      withPool += seeded.work;
      without += plain.work;
    }
    expect(withPool).toBeLessThan(0.5 * without);
  });

  // distinct400-800 events 11 and 41: the LP raises L2 by one package. Its solution is within the
  // ceiling of its own bound after 12 and 22 M work units; the optimum takes 54 and 72 M more.
  it.each([11, 41])(
    'stops once its bound is settled: distinct400-800 event %i, the bound of the optimum for less than half the work',
    (index) => {
      const groups = familyEvent('distinct400-800', index);
      const known = lowerBoundL2Groups(groups.masses, groups.counts);
      const pool = firstFitDecreasingGroups(groups).map((pattern) => pattern.counts);
      const settled = lpWork(groups, { known, pool });
      const optimal = lpWork(groups, { known, pool, optimal: true });
      expect(optimal.bound).toBe(known + 1);
      expect(settled.bound).toBe(optimal.bound);
      expect(settled.work).toBeLessThan(0.5 * optimal.work);
    },
  );
});

describe('the LP pool', () => {
  // distinct300-1000 event 43: the LP raises L2 by one package, and its optimum is only 0.01 above
  // a whole number, so it runs nearly to it. The simplex keeps no other memory of the packages
  // that left its basis, and many price out again: kept in its pool, they spare more than half
  // of its knapsacks (288 -> 130) and 81 M work units -> 56 M; priced over the few masses each
  // holds rather than every mass, 49 M.
  it('keeps the packages its knapsack found, priced over their masses: distinct300-1000 event 43 reaches its bound in under 52 M work units', () => {
    const groups = familyEvent('distinct300-1000', 43);
    const known = lowerBoundL2Groups(groups.masses, groups.counts);
    const pool = firstFitDecreasingGroups(groups).map((pattern) => pattern.counts);
    const { bound, work } = lpWork(groups, { known, pool });
    expect(bound).toBe(known + 1);
    expect(work).toBeLessThan(52_000_000);
  });
});

describe('packageOfColumn', () => {
  it('fills the places of a mass with no units left with the next lighter units', () => {
    // Places for two units of 1000 g and one of 600 g; one 1000 g unit is left, the 800 g unit
    // takes the other place, and the 600 g place goes to a 600 g unit.
    expect(packageOfColumn([2, 0, 1, 0], [1, 1, 3, 5])).toEqual([1, 1, 1, 0]);
    // Places passed on past the lightest mass stay empty.
    expect(packageOfColumn([0, 3], [4, 1])).toEqual([0, 1]);
  });

  const columnsArbitrary = massesHeaviestFirst(1, PACKAGE_LIMIT_G, 8)
    .chain((masses) =>
      fc.record({
        masses: fc.constant(masses),
        column: fc.tuple(...masses.map((mass) => fc.integer({ min: 0, max: Math.floor(PACKAGE_LIMIT_G / mass) }))),
        left: fc.tuple(...masses.map(() => fc.integer({ min: 0, max: 4 }))),
      }),
    )
    .filter(({ masses, column }) => totalMass(masses, column) <= PACKAGE_LIMIT_G);

  it('takes only units left, no heavier than their places, and passes places on only when a mass has no units left', () => {
    fc.assert(
      fc.property(columnsArbitrary, ({ masses, column, left }) => {
        const taken = packageOfColumn(column, left);
        taken.forEach((units, group) => {
          expect(units).toBeLessThanOrEqual(left[group]!);
        });
        expect(totalMass(masses, taken)).toBeLessThanOrEqual(totalMass(masses, column));
        // Up to each mass, the units taken never outnumber the places (a unit only takes the
        // place of one at least as heavy), and places are passed on only when the mass has no
        // units left to take.
        let places = 0;
        let filled = 0;
        column.forEach((units, group) => {
          places += units;
          filled += taken[group]!;
          expect(filled).toBeLessThanOrEqual(places);
          if (filled < places) expect(taken[group]).toBe(left[group]);
        });
      }),
    );
  });
});
