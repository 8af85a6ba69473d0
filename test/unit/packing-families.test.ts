import { describe, expect, it } from 'vitest';
import { drawFamilyEvent, FAMILIES, type Family } from '../../bench/packing-families.js';
import { seededRandom } from '../../bench/lib.js';
import { stressInstance } from '../../bench/packing-stress.js';
import { LocalSearch } from '../../functions/domain/packing/local-search.js';
import { firstFitDecreasingGroups } from '../../functions/domain/packing/first-fit-decreasing.js';
import type { MassGroups } from '../../functions/domain/packing/mass-groups.js';
import { packGroups } from '../../functions/domain/packing/pack-groups.js';
import { packageCount } from '../../functions/domain/packing/patterns.js';

function groupsOf(units: { mass_g: number; quantity: number }[]): MassGroups {
  const byMass = new Map<number, number>();
  for (const u of units) byMass.set(u.mass_g, (byMass.get(u.mass_g) ?? 0) + u.quantity);
  const masses = [...byMass.keys()].sort((a, b) => b - a);
  return { masses, counts: masses.map((m) => byMass.get(m)!) };
}

/** Event `index` of `npx tsx bench/packing.ts --families <family>` (its seed 1, or another). */
function familyEvent(family: Family, index: number, seed = 1): MassGroups {
  const rnd = seededRandom(seed * 1_000_003 + 17 * (FAMILIES.indexOf(family) + 1));
  for (let e = 0; e < index; e++) drawFamilyEvent(family, rnd);
  return groupsOf(drawFamilyEvent(family, rnd).units);
}

function countingBudget(allowance: number) {
  const budget = {
    spent: 0,
    spend: (units: number) => {
      budget.spent += units;
      return budget.spent <= allowance;
    },
  };
  return budget;
}

describe('packGroups on the hard families', () => {
  // waescher 20: the LP's solution rounds to a packing at the bound once the places of its columns
  // whose mass has no units left go to lighter units (packageOfColumn); cut down to the units
  // left instead, it took 106 M work units.
  // distinct400-800 15: the LP-guided dive finds this packing (80 M in all). The LP stops as soon
  // as its solution meets the bound, counted without what the perturbed counts add
  // (perturbationCost): counted with them it ran on, and the event took 192 M; solving the LP at
  // every level of the dive took 124 M; the search's long attempt before the LP with a little
  // room to spare (isTight rather than no room at all) 120 M.
  // scholl3 19: the LP proves one package more than L2; with its little room to spare (22 g) the
  // search's long attempt at L2 came first, all wasted, and the event took 66 M.
  // scholl1 44: the dive, filling the places the same way, finds the packing at the LP bound;
  // without that the event stayed unproven after 1.5 G work units.
  it.each([
    ['waescher', 20, 40_000_000],
    ['distinct400-800', 15, 100_000_000],
    ['scholl3', 19, 45_000_000],
    ['scholl1', 44, 60_000_000],
  ] as const)('proves %s event %i within %i work units', (family, index, most) => {
    const budget = countingBudget(1.5e9);
    const result = packGroups(familyEvent(family, index), budget);
    expect(result.proven).toBe(true);
    expect(budget.spent).toBeLessThan(most);
  });

  // Beyond the benchmark's seed: distinct300-1000 events 60 and 77 of seed 3 stayed unproven after
  // 1.5 G work units (the dive missed the rare packings at the bound, and the searches after it
  // found none) until the LP kept the packages its knapsack found (lower-bound.ts, poolColumn):
  // its solutions lead the dive to them. Which dive finds a rare packing depends on the solution it
  // follows; over seeds 1, 3 and 7 (100 events each, both distinct-mass families) every event is
  // proven now, where 2 of those 600 were not.
  // distinct300-1000 event 27 of seed 5 and Scholl set 1 event 31 of seed 11: the dive finds their
  // packings after more than 20 failed branches; giving up after 20 (DIVE_FAILURES, lp-dive.ts),
  // both stayed unproven after 1.5 G work units.
  // triplets99 event 31 of seed 10: the search before the LP finds its packing after 84 M work
  // units; cut at 40 M (NO_ROOM_SEARCH_WORK, pack-groups.ts), it waited behind an LP and a dive that
  // did not, and the event took 172 M.
  it.each([
    ['triplets99', 31, 10, 100_000_000],
    ['distinct300-1000', 60, 3, 45_000_000],
    ['distinct300-1000', 77, 3, 70_000_000],
    ['distinct300-1000', 27, 5, 100_000_000],
    ['scholl1', 31, 11, 70_000_000],
  ] as const)('proves %s event %i of seed %i within %i work units', (family, index, seed, most) => {
    const budget = countingBudget(1.5e9);
    const result = packGroups(familyEvent(family, index, seed), budget);
    expect(result.proven).toBe(true);
    expect(budget.spent).toBeLessThan(most);
  });
});

describe('the LP-guided dive', () => {
  // Instance 57 of `npx tsx bench/packing-stress.ts`'s 100 distinct masses of 400-800 g: the
  // first dive (following each LP solution for 5 levels) misses the packing at the bound; the
  // second, for 2, finds it. With one dive it stayed unproven after 1.5 G work units.
  const stress57 = groupsOf(stressInstance('distinct400-800', 57));

  it('tries again, following the solutions for fewer levels, where the first dive fails', () => {
    const budget = countingBudget(1.5e9);
    const result = packGroups(stress57, budget);
    expect(result.proven).toBe(true);
    expect(packageCount(result.patterns)).toBe(35);
    expect(budget.spent).toBeLessThan(200_000_000);
  });
});

describe('an event that ends unproven', () => {
  // Instance 266 of `npx tsx bench/packing-stress.ts`'s 100 distinct masses of 400-800 g: its
  // optimum is its bound, 34 packages (an arc-flow MIP needed 570 branch-and-bound nodes), which no
  // attempt finds within the safety cap. Aiming only at the bound, the packing stayed at first-fit-decreasing's 38.
  const stress266 = groupsOf(stressInstance('distinct400-800', 266));

  it('is packed close to its bound, not left where first-fit-decreasing put it', () => {
    expect(packageCount(firstFitDecreasingGroups(stress266))).toBe(38);
    const result = packGroups(stress266, countingBudget(1.5e9));
    expect(result.lowerBound).toBe(34);
    expect(packageCount(result.patterns)).toBeLessThanOrEqual(35);
  });
});

describe('LocalSearch', () => {
  it('goes on where it stopped: 300 passes and then 700 end as 1,000 passes at once', () => {
    const groups = familyEvent('waescher', 20);
    const start = firstFitDecreasingGroups(groups);
    const packages = packageCount(start) - 1;
    const outcome = (runs: number[]) => {
      const search = LocalSearch.from(groups, start, packages, countingBudget(Infinity))!;
      let found: ReturnType<LocalSearch['run']>;
      for (const passes of runs) found = search.run(passes) ?? found;
      return { found, state: JSON.stringify(search) };
    };
    expect(outcome([300, 700])).toEqual(outcome([1000]));
  });
});
