import fc from 'fast-check';
import { massesHeaviestFirst } from '../support/packing.js';
import { describe, expect, it } from 'vitest';
import { FullPackages } from '../../functions/domain/packing/full-packages.js';
import { PACKAGE_LIMIT_G } from '../../functions/domain/packing/mass-groups.js';

/** Every multiset of the units (at most `counts[g]` of group g) weighing LIMIT - slack..LIMIT, brute force. */
function fullPackagesByBruteForce(masses: number[], counts: number[], slack: number): string[] {
  const found: string[] = [];
  const chosen = new Array<number>(masses.length).fill(0);
  const walk = (g: number, mass: number) => {
    if (g === masses.length) {
      if (mass > 0 && mass <= PACKAGE_LIMIT_G && PACKAGE_LIMIT_G - mass <= slack) found.push(chosen.join(','));
      return;
    }
    for (let units = 0; units <= counts[g]! && mass + units * masses[g]! <= PACKAGE_LIMIT_G; units++) {
      chosen[g] = units;
      walk(g + 1, mass + units * masses[g]!);
    }
    chosen[g] = 0;
  };
  walk(0, 0);
  return found.sort();
}

/** The packages `completionsOf` gives for every group, as counts per group (each once). */
function listedPackages(full: FullPackages, masses: number[], slack: number): string[] {
  const packages = new Set<string>();
  masses.forEach((_, group) => {
    for (const { items } of full.completionsOf(group, slack)) {
      const counts = new Array<number>(masses.length).fill(0);
      counts[group] = 1;
      for (let i = 0; i < items.length; i += 2) counts[items[i]!]! += items[i + 1]!;
      packages.add(counts.join(','));
    }
  });
  return [...packages].sort();
}

const groupsArbitrary = massesHeaviestFirst(200, 1800, 9).chain((masses) =>
  fc.record({
    masses: fc.constant(masses),
    counts: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: masses.length, maxLength: masses.length }),
    slack: fc.integer({ min: 0, max: 60 }),
  }),
);

describe('the full packages of the exact search', () => {
  it('lists every package that wastes at most the slack, once', () => {
    fc.assert(
      fc.property(groupsArbitrary, ({ masses, counts, slack }) => {
        const { packages } = FullPackages.list(masses, counts, slack, 100_000, 1e9);
        expect(packages).toBeDefined();
        expect(listedPackages(packages!, masses, slack)).toEqual(fullPackagesByBruteForce(masses, counts, slack));
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('follows the counts: a package is possible exactly while its units are left', () => {
    fc.assert(
      fc.property(
        groupsArbitrary,
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 30 }),
        ({ masses, counts, slack }, changes) => {
          const full = FullPackages.list(masses, counts, slack, 100_000, 1e9).packages!;
          const left = [...counts];
          for (const [pick, up] of changes) {
            const group = pick % masses.length;
            const after = up ? Math.min(left[group]! + 1, counts[group]!) : Math.max(left[group]! - 1, 0);
            full.countChanged(group, left[group]!, after);
            left[group] = after;
          }
          // What is possible now is what fits the units left, listed afresh.
          const afresh = fullPackagesByBruteForce(masses, left, slack);
          expect(listedPackages(full, masses, slack)).toEqual(afresh);
          masses.forEach((_, group) => {
            const holding = afresh.filter((counts) => Number(counts.split(',')[group]) > 0).length;
            expect(full.possibleHolding(group)).toBe(holding);
          });
        },
      ),
      { numRuns: 300, seed: 15 },
    );
  });

  it('leaves the listing to the search when there are too many packages or it costs too much', () => {
    // Units of 60 g and 45 g fill a package exactly in 11 ways (0, 3, ..., 30 of 60 g, the rest 45 g).
    const masses = [60, 45];
    const counts = [30, 40];
    expect(FullPackages.list(masses, counts, 0, 100, 1e9).packages).toBeDefined();
    expect(FullPackages.list(masses, counts, 0, 5, 1e9).packages).toBeUndefined();
    expect(FullPackages.list(masses, counts, 0, 100, 10_000).packages).toBeUndefined();
  });
});
