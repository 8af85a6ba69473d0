/**
 * LP-guided dive: a heuristic that follows the LP solution to a packing at the bound, for inputs
 * where such packings are rare and the other searches get lost among near misses.
 *
 * It never proves anything: a packing, or undefined. Every LP re-solve draws on the shared budget,
 * the exact search that finishes a branch also has its own cap (DIVE_SEARCH_WORK), and
 * DIVE_BRANCHES and DIVE_FAILURES bound how far it branches.
 */
import { BinCompletionSearch } from './bin-completion.js';
import {
  LP_ROUNDING_EPSILON,
  lowerBoundL2Groups,
  packageOfColumn,
  solveLpRelaxation,
  type LpColumn,
} from './lower-bound.js';
import type { MassGroups } from './mass-groups.js';
import type { MassPattern } from './patterns.js';
import type { WorkBudget } from './work-budget.js';

/** An LP dive hands the rest to the exact search once this few packages are left... */
const DIVE_SEARCH_PACKAGES = 8;
/** ...with this much work (a few milliseconds) to find their packing. */
const DIVE_SEARCH_WORK = 2_000_000;
/** Where the LP uses no package whole, the dive tries this many of its largest, in turn... */
const DIVE_BRANCHES = 3;
/**
 * ...and gives up after this many failed branches in all. Where the LP bound is right, a dive that
 * fails leaves only blind attempts after it, which miss the rare packings at the bound: with 20,
 * distinct300-1000 event 27 of seed 5 and Scholl set 1 event 31 of seed 11 stayed unproven after
 * 1.5 G work units, and 60 found both (80 M and 57 M); over seeds 1 to 12 (4,200 events of the
 * seven families of up to 100 units) every event is proven now, and the other 4,198 took 21,739 M
 * work units in all (21,620 M with 20: the dives that fail where the bound is one short go on).
 */
const DIVE_FAILURES = 60;
/**
 * Levels of the dive that follow one LP solution before it is solved again, one entry per dive.
 * Solving at every level was most of the dive's work on 100 distinct masses, where the dive
 * hardly ever backtracks: the benchmark's 50 events of 400-800 g took 1,687 M work units in all
 * (233 M at most), 1,411 M (164 M) following each optimum for 5 levels; following one optimum all
 * the way down left 2 of them unproven. Which solutions a dive follows decides which rare packing
 * it can reach, so a dive that fails is tried again following each for 2 levels, then 3: on the
 * stress bench's 600 events of 100 distinct masses (bench/packing-stress.ts) 5 stayed unproven
 * after 1.5 G work units with one dive, 1 with these three, and the 600 took 6,786 M work units
 * in all instead of 12,089 M; the families of seeds 1 to 12 took 21,446 M instead of 21,367 M.
 */
const DIVE_LEVELS_PER_SOLVE = [5, 2, 3];

/**
 * LP-guided diving for a packing into `packages` packages: fixes the packages the LP solution uses
 * whole, solves the LP again on the units left, and so on until the packages left are few enough
 * for a short exact search. Where the LP uses no package whole, it branches on the ones it uses
 * most (up to DIVE_BRANCHES of them, largest first), and follows the rest of that solution for a
 * few levels (DIVE_LEVELS_PER_SOLVE) before solving again; a branch fails as soon as the LP bound
 * of what is left exceeds the packages left, or the search does not find the rest, and after
 * DIVE_FAILURES failed branches the dive gives up, to start again following the solutions for
 * fewer levels. A heuristic (a limited search), but one that looks where the packings at the LP
 * bound are: it finds the rare ones that the bin-completion search and the local search miss among
 * many near misses (100 distinct masses, little room to spare).
 */
export function lpDive(
  groups: MassGroups,
  packages: number,
  firstColumns: readonly LpColumn[],
  budget: WorkBudget,
): MassPattern[] | undefined {
  for (const levelsPerSolve of DIVE_LEVELS_PER_SOLVE) {
    const packing = diveOnce(groups, packages, firstColumns, budget, levelsPerSolve);
    if (packing) return packing;
  }
  return undefined;
}

function diveOnce(
  groups: MassGroups,
  packages: number,
  firstColumns: readonly LpColumn[],
  budget: WorkBudget,
  levelsPerSolve: number,
): MassPattern[] | undefined {
  const { masses } = groups;
  let failuresLeft = DIVE_FAILURES;
  const dive = (
    counts: number[],
    left: number,
    columns: readonly LpColumn[] | undefined,
    pool: readonly (readonly number[])[],
    sinceSolved: number,
  ): MassPattern[] | undefined => {
    const fixed: MassPattern[] = [];
    for (;;) {
      if (counts.every((units) => units === 0)) return fixed;
      if (lowerBoundL2Groups(masses, counts) > left) return undefined;
      if (left <= DIVE_SEARCH_PACKAGES) {
        const rest = new BinCompletionSearch({ masses, counts }, budget).pack(left, DIVE_SEARCH_WORK);
        return rest.outcome === 'found' ? [...fixed, ...rest.patterns] : undefined;
      }
      if (!columns) {
        // The last solution's packages, filled from the units left, are where this one's are.
        // Not to an optimum: once the bound is settled the solution is close enough to follow.
        const lp = solveLpRelaxation({ masses, counts: [...counts] }, budget, { enough: left + 1, pool });
        if (lp.bound === 0 || lp.bound > left) return undefined;
        columns = lp.columns;
        sinceSolved = 0;
      }
      pool = columns.map((column) => packageOfColumn(column.counts, counts));
      const byAmount = [...columns].sort((a, b) => b.amount - a.amount);
      columns = undefined;
      const whole = byAmount.filter((column) => column.amount >= 1 - LP_ROUNDING_EPSILON);
      if (whole.length === 0) {
        for (const column of byAmount.slice(0, DIVE_BRANCHES)) {
          const pattern = packageOfColumn(column.counts, counts);
          if (pattern.every((units) => units === 0)) continue;
          // The rest of this solution still says where the next packages are: followed for a few
          // more levels before the LP is solved again (each solve costs as much as many levels).
          const reuse = sinceSolved + 1 < levelsPerSolve;
          const rest = dive(
            counts.map((units, group) => units - pattern[group]!),
            left - 1,
            reuse ? byAmount.filter((other) => other !== column) : undefined,
            pool,
            sinceSolved + 1,
          );
          if (rest) return [...fixed, { counts: pattern, count: 1 }, ...rest];
          if (--failuresLeft <= 0) return undefined;
        }
        return undefined;
      }
      let progressed = false;
      for (const column of whole) {
        for (let times = Math.floor(column.amount + LP_ROUNDING_EPSILON); times > 0 && left > 0; times--) {
          const pattern = packageOfColumn(column.counts, counts);
          if (pattern.every((units) => units === 0)) break;
          pattern.forEach((units, group) => {
            counts[group]! -= units;
          });
          fixed.push({ counts: pattern, count: 1 });
          left--;
          progressed = true;
        }
      }
      if (!progressed) return undefined;
    }
  };
  return dive([...groups.counts], packages, firstColumns, [], 0);
}
