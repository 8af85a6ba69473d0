import fc from 'fast-check';
import { massesHeaviestFirst } from '../support/packing.js';
import { describe, expect, it } from 'vitest';
import { firstFitDecreasingGroups } from '../../functions/domain/packing/first-fit-decreasing.js';
import { PACKAGE_LIMIT_G } from '../../functions/domain/packing/mass-groups.js';

/** Unit by unit, heaviest first, each into the first package with room: the packages as sorted mass lists. */
function firstFitDecreasingByUnits(masses: number[], counts: number[]): string[] {
  const packages: { masses: number[]; room: number }[] = [];
  masses.forEach((mass, group) => {
    for (let unit = 0; unit < counts[group]!; unit++) {
      const open = packages.find((p) => p.room >= mass);
      if (open) {
        open.masses.push(mass);
        open.room -= mass;
      } else {
        packages.push({ masses: [mass], room: PACKAGE_LIMIT_G - mass });
      }
    }
  });
  return packages.map((p) => p.masses.join(',')).sort();
}

function asMassLists(masses: number[], patterns: ReturnType<typeof firstFitDecreasingGroups>): string[] {
  const lists: string[] = [];
  for (const { counts, count } of patterns) {
    const list = masses.flatMap((mass, group) => new Array<number>(counts[group]!).fill(mass));
    for (let i = 0; i < count; i++) lists.push(list.join(','));
  }
  return lists.sort();
}

describe('first-fit-decreasing on mass groups', () => {
  // Many masses (the tree of rooms grows past its first 64 runs) and many units of a few (runs of
  // identical packages split where the units run out).
  it('packs exactly as unit-by-unit first-fit-decreasing does', () => {
    const groups = massesHeaviestFirst(1, PACKAGE_LIMIT_G, 300).chain((masses) =>
      fc.record({
        masses: fc.constant(masses),
        counts: fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })), {
          minLength: masses.length,
          maxLength: masses.length,
        }),
      }),
    );
    fc.assert(
      fc.property(groups, ({ masses, counts }) => {
        const patterns = firstFitDecreasingGroups({ masses, counts });
        expect(asMassLists(masses, patterns)).toEqual(firstFitDecreasingByUnits(masses, counts));
      }),
      { numRuns: 200, seed: 15 },
    );
  });
});
