/**
 * Finding packings of mass groups, and proving them minimal: first-fit-decreasing, dominance
 * reductions, LP rounding, a local search, and an exact bin-completion search (Korf 2003) over
 * groups of identical masses.
 *
 * Ties between packings with the same number of packages are broken by the order in which they
 * are found, which is fixed: first-fit-decreasing when it already meets the lower bound;
 * otherwise the forced packages of the dominance reductions plus the first packing of the rest
 * that meets the bound (an incumbent is only ever replaced by a strictly better one). The search
 * tries, for the heaviest unit left, the fullest package first, so its packages come out as full
 * as possible at the front, with the slack collected in the last ones.
 */
import { lowerBoundL2Groups, solveLpRelaxation, type LpColumn } from './packing/lower-bound.js';
import type { MassGroups } from './packing/mass-groups.js';
import type { WorkBudget } from './packing/work-budget.js';
import { BinCompletionSearch } from './packing/bin-completion.js';
import { reduceByDominance } from './packing/dominance-reduction.js';
import { firstFitDecreasingGroups } from './packing/first-fit-decreasing.js';
import { localSearchPacking } from './packing/local-search.js';
import { canonicalPatterns, packageCount, withoutUnits, type MassPattern } from './packing/patterns.js';

export interface GroupsPacking {
  readonly patterns: MassPattern[];
  readonly lowerBound: number;
  /** `patterns` use exactly `lowerBound` packages. */
  readonly proven: boolean;
}

/** Search depth is one package per level; beyond this the LP has to do without it. */
const SEARCH_MAX_PACKAGES = 1000;
/** Work of a quick search attempt (about 3 ms): enough for a dive and some backtracking. */
const QUICK_SEARCH_WORK = 1_000_000;
/** Up to this many distinct masses the LP comes first: it is cheap and settles most gaps. */
const LP_FIRST_MAX_GROUPS = 24;
const LP_ROUNDING_EPSILON = 1e-9;
/** An LP dive hands the rest to the exact search once this few packages are left... */
const DIVE_SEARCH_PACKAGES = 8;
/** ...with this much work (a few milliseconds) to find their packing. */
const DIVE_SEARCH_WORK = 2_000_000;
/** Where the LP uses no package whole, the dive tries this many of its largest, in turn... */
const DIVE_BRANCHES = 3;
/** ...and gives up after this many failed branches in all. */
const DIVE_FAILURES = 20;
/** Local search works on single units; beyond this many it is left out. */
const LOCAL_SEARCH_MAX_UNITS = 2000;
const QUICK_LOCAL_SEARCH_PASSES = 50;
const LOCAL_SEARCH_PASSES = 20_000;

/**
 * Packs all groups into as few packages as can be found within the budget, and proves it minimal
 * when it can. Never more packages than first-fit-decreasing, which is the first incumbent.
 */
export function packGroups(groups: MassGroups, budget: WorkBudget): GroupsPacking {
  const ffd = firstFitDecreasingGroups(groups);
  const l2 = lowerBoundL2Groups(groups.masses, groups.counts);
  if (packageCount(ffd) <= l2) return finished(groups, ffd, l2);

  // The reductions keep optimality, so the rest's bound plus the forced packages bounds the whole.
  const { forced, rest } = reduceByDominance(groups);
  const forcedCount = packageCount(forced);
  const restBound = Math.max(l2 - forcedCount, lowerBoundL2Groups(rest.masses, rest.counts));
  const restStart = forced.length === 0 ? ffd : firstFitDecreasingGroups(rest);
  const restPacking = improve(rest, restBound, restStart, budget, true);
  const reduced = [...forced, ...restPacking.patterns];
  return finished(groups, fewerPackages(ffd, reduced), forcedCount + restPacking.lowerBound);
}

function finished(groups: MassGroups, patterns: MassPattern[], lowerBound: number): GroupsPacking {
  const count = packageCount(patterns);
  return { patterns: canonicalPatterns(groups.masses, patterns), lowerBound, proven: count === lowerBound };
}

/**
 * Tries to bring `incumbent` down to `lowerBound`, raising the bound where it can. Cheap attempts
 * at the bound first (most instances have a packing there and one of them finds it), then the LP
 * bound, which closes most of the remaining gaps, then a dive guided by the LP optimum (which finds
 * the rare packings at the bound among many near misses), then longer attempts at the bound, and
 * finally the exact search, one package count at a time upward, which alone can prove a count
 * impossible when no bound does. Not `thorough`: the cheap attempts only (for LP leftovers).
 */
function improve(
  groups: MassGroups,
  lowerBound: number,
  incumbent: MassPattern[],
  budget: WorkBudget,
  thorough: boolean,
): { patterns: MassPattern[]; lowerBound: number } {
  let best = incumbent;
  let bound = lowerBound;
  const open = () => packageCount(best) > bound;
  const search = packageCount(best) <= SEARCH_MAX_PACKAGES ? new BinCompletionSearch(groups, budget) : undefined;
  const localSearchFits = groups.counts.reduce((sum, count) => sum + count, 0) <= LOCAL_SEARCH_MAX_UNITS;
  const attemptAtBound = (searchWork: number, localSearchPasses: number) => {
    if (search && open()) {
      const attempt = search.pack(bound, searchWork);
      if (attempt.outcome === 'found') best = attempt.patterns;
      else if (attempt.outcome === 'infeasible') bound++;
    }
    if (localSearchFits && open()) {
      best = localSearchPacking(groups, best, bound, budget, localSearchPasses) ?? best;
    }
  };

  let lpColumns: readonly LpColumn[] | undefined;
  const raiseByLp = () => {
    if (!thorough || !open()) return;
    const lp = solveLpRelaxation(groups, budget, packageCount(best));
    bound = Math.max(bound, lp.bound);
    // An LP that ran out of budget has no optimum to guide a dive.
    if (lp.bound > 0) lpColumns = lp.columns;
    if (open()) best = fewerPackages(best, roundedLpPacking(groups, lp.columns, budget));
  };

  // With few masses the LP takes microseconds and usually settles everything; with many it can
  // take far longer than the cheap attempts, which usually succeed without it.
  const presentGroups = groups.counts.filter((count) => count > 0).length;
  if (presentGroups <= LP_FIRST_MAX_GROUPS) raiseByLp();
  attemptAtBound(QUICK_SEARCH_WORK, QUICK_LOCAL_SEARCH_PASSES);
  if (presentGroups > LP_FIRST_MAX_GROUPS) raiseByLp();
  if (!thorough) return { patterns: best, lowerBound: bound };
  // Where the bound is right but packings at it are rare, the LP optimum knows where they are.
  if (lpColumns && open()) best = lpDive(groups, bound, lpColumns, budget) ?? best;
  // Longer and longer, alternating: the search may prove the bound impossible (where the local
  // search would only waste its passes), the local search may find what the search would not.
  attemptAtBound(QUICK_SEARCH_WORK, QUICK_LOCAL_SEARCH_PASSES);
  attemptAtBound(10 * QUICK_SEARCH_WORK, LOCAL_SEARCH_PASSES / 10);
  attemptAtBound(100 * QUICK_SEARCH_WORK, LOCAL_SEARCH_PASSES);
  while (search && open()) {
    const attempt = search.pack(bound, Infinity);
    if (attempt.outcome === 'found') best = attempt.patterns;
    else if (attempt.outcome === 'infeasible') bound++;
    else break;
  }
  return { patterns: best, lowerBound: bound };
}

/** The first on a tie, so an incumbent is only replaced by something strictly better. */
function fewerPackages(first: MassPattern[], second: MassPattern[]): MassPattern[] {
  return packageCount(second) < packageCount(first) ? second : first;
}

/**
 * Rounds the LP optimum down to whole packages (dropping units it covers twice) and packs what is
 * left over, a few packages' worth, with first-fit-decreasing and the quick attempts.
 */
function roundedLpPacking(groups: MassGroups, columns: readonly LpColumn[], budget: WorkBudget): MassPattern[] {
  // Rounding down only pays when some pattern is used at least once (many units of few masses).
  if (!columns.some((column) => column.amount >= 1 - LP_ROUNDING_EPSILON)) return firstFitDecreasingGroups(groups);
  let patterns: MassPattern[] = [];
  const leftover = [...groups.counts];
  for (const column of columns) {
    const count = Math.floor(column.amount + LP_ROUNDING_EPSILON);
    if (count === 0) continue;
    patterns.push({ counts: column.counts, count });
    column.counts.forEach((units, i) => {
      leftover[i]! -= units * count;
    });
  }
  leftover.forEach((units, group) => {
    if (units < 0) {
      patterns = withoutUnits(patterns, group, -units);
      leftover[group] = 0;
    }
  });
  const residual: MassGroups = { masses: groups.masses, counts: leftover };
  const residualLowerBound = lowerBoundL2Groups(residual.masses, residual.counts);
  const residualPacking = improve(residual, residualLowerBound, firstFitDecreasingGroups(residual), budget, false);
  return [...patterns, ...residualPacking.patterns];
}

/**
 * LP-guided diving for a packing into `packages` packages: fixes the packages the LP optimum uses
 * whole, solves the LP again on the units left, and so on until the packages left are few enough
 * for a short exact search. Where the LP uses no package whole, it branches on the ones it uses
 * most (up to DIVE_BRANCHES of them, largest first); a branch fails as soon as the LP bound of what
 * is left exceeds the packages left, or the search does not find the rest, and after DIVE_FAILURES
 * failed branches the dive gives up. A heuristic (a limited search), but one that looks where the
 * packings at the LP bound are: it finds the rare ones that the bin-completion search and the
 * local search miss among many near misses (100 distinct masses, little room to spare).
 */
function lpDive(
  groups: MassGroups,
  packages: number,
  firstColumns: readonly LpColumn[],
  budget: WorkBudget,
): MassPattern[] | undefined {
  const { masses } = groups;
  let failuresLeft = DIVE_FAILURES;
  // The LP may cover a unit twice (its surplus and exchange columns): a pattern is cut down to the
  // units left, still a package.
  const patternOf = (column: LpColumn, counts: readonly number[]) =>
    column.counts.map((units, group) => Math.min(units, counts[group]!));
  const dive = (
    counts: number[],
    left: number,
    columns: readonly LpColumn[] | undefined,
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
        const lp = solveLpRelaxation({ masses, counts: [...counts] }, budget, left + 1);
        if (lp.bound === 0 || lp.bound > left) return undefined;
        columns = lp.columns;
      }
      const byAmount = [...columns].sort((a, b) => b.amount - a.amount);
      columns = undefined;
      const whole = byAmount.filter((column) => column.amount >= 1 - LP_ROUNDING_EPSILON);
      if (whole.length === 0) {
        for (const column of byAmount.slice(0, DIVE_BRANCHES)) {
          const pattern = patternOf(column, counts);
          if (pattern.every((units) => units === 0)) continue;
          const rest = dive(
            counts.map((units, group) => units - pattern[group]!),
            left - 1,
            undefined,
          );
          if (rest) return [...fixed, { counts: pattern, count: 1 }, ...rest];
          if (--failuresLeft <= 0) return undefined;
        }
        return undefined;
      }
      let progressed = false;
      for (const column of whole) {
        for (let times = Math.floor(column.amount + LP_ROUNDING_EPSILON); times > 0 && left > 0; times--) {
          const pattern = patternOf(column, counts);
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
  return dive([...groups.counts], packages, firstColumns);
}
