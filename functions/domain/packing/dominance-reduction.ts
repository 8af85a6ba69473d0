/**
 * Martello–Toth dominance reduction: packages that can be fixed before any search, whole groups
 * at a time, so the bounds and the searches only see the rest.
 *
 * Invariant: the forced packages plus a minimal packing of the rest are a minimal packing of all
 * the units, so the forced count plus any lower bound of the rest bounds the whole. It runs before
 * the budgeted parts and spends no budget.
 */
import { PACKAGE_LIMIT_G, type MassGroups } from './mass-groups.js';
import type { MassPattern } from './patterns.js';

const LIMIT = PACKAGE_LIMIT_G;

/**
 * Martello–Toth reduction on whole groups: when some package for a unit x provably does as well as
 * any other package holding x, it can be fixed without losing optimality, and for identical units
 * it can be fixed for the whole group at once (a unit over 900 g next to the unit that fills its
 * package exactly, say, 10,000 times in one step). The cases cheap to recognise: nothing fits
 * beside x (x ships alone); at most one unit fits beside x, or one fills the package exactly (the
 * heaviest unit that fits is then the best partner).
 */
export function reduceByDominance(groups: MassGroups): { forced: MassPattern[]; rest: MassGroups } {
  const { masses } = groups;
  const counts = [...groups.counts];
  const forced: MassPattern[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (let x = 0; x < masses.length; x++) {
      for (let fixedPackage = dominantPackage(masses, counts, x); fixedPackage; ) {
        const pattern = new Array<number>(masses.length).fill(0);
        pattern[x]! += 1;
        counts[x]! -= fixedPackage.times;
        if (fixedPackage.partner >= 0) {
          pattern[fixedPackage.partner]! += 1;
          counts[fixedPackage.partner]! -= fixedPackage.times;
        }
        forced.push({ counts: pattern, count: fixedPackage.times });
        changed = true;
        fixedPackage = dominantPackage(masses, counts, x);
      }
    }
  }
  return { forced, rest: { masses, counts } };
}

function dominantPackage(
  masses: readonly number[],
  counts: readonly number[],
  x: number,
): { partner: number; times: number } | undefined {
  const units = counts[x]!;
  if (units === 0) return undefined;
  const room = LIMIT - masses[x]!;
  const available = (i: number) => counts[i]! - (i === x ? 1 : 0);
  let partner = -1;
  for (let i = firstAtMost(masses, room); i < masses.length && partner < 0; i++) {
    if (available(i) > 0) partner = i;
  }
  if (partner < 0) return { partner: -1, times: units };

  // The two lightest other units: if even they do not fit together beside x, at most one does.
  let lightest = Infinity;
  let secondLightest = Infinity;
  for (let i = masses.length - 1; i >= 0 && secondLightest === Infinity; i--) {
    const left = available(i);
    if (left <= 0) continue;
    if (lightest === Infinity) {
      lightest = masses[i]!;
      if (left >= 2) secondLightest = masses[i]!;
    } else {
      secondLightest = masses[i]!;
    }
  }
  const exactFit = masses[partner] === room;
  if (!exactFit && lightest + secondLightest <= room) return undefined;
  const times = partner === x ? Math.floor(units / 2) : Math.min(units, counts[partner]!);
  return times > 0 ? { partner, times } : undefined;
}

/** The first index of `masses` (descending) whose mass is at most `mass`: binary search. */
function firstAtMost(masses: readonly number[], mass: number): number {
  let low = 0;
  let high = masses.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (masses[middle]! <= mass) high = middle;
    else low = middle + 1;
  }
  return low;
}
