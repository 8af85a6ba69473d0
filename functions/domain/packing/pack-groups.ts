/**
 * Packing mass groups into the fewest packages and proving it minimal: which algorithm of this
 * folder runs when, and what each attempt may spend.
 *
 * first-fit-decreasing.ts gives the first incumbent; dominance-reduction.ts fixes the packages it
 * safely can; lower-bound.ts gives L2, the Fekete–Schepers bound and the LP bound;
 * local-search.ts, lp-dive.ts and bin-completion.ts then try to meet the bound, and where no bound
 * settles it, bin-completion.ts alone can prove a count impossible. Rounding the LP's solution
 * stays here: it packs its leftover with `improve` itself.
 *
 * Ties between packings with the same number of packages are broken by the order in which they
 * are found, which is fixed: first-fit-decreasing when it already meets the lower bound;
 * otherwise the forced packages of the dominance reductions plus the first packing of the rest
 * that meets the bound (an incumbent is only ever replaced by a strictly better one, so the answer
 * is never worse than first-fit-decreasing). The attempts after the reduction all draw on the one
 * budget; when it runs out, the best packing found so far is the answer, unproven.
 */
import { BinCompletionSearch } from './bin-completion.js';
import { reduceByDominance } from './dominance-reduction.js';
import { firstFitDecreasingGroups } from './first-fit-decreasing.js';
import { LocalSearch } from './local-search.js';
import {
  LP_ROUNDING_EPSILON,
  lowerBoundDffGroups,
  lowerBoundL2Groups,
  packageOfColumn,
  solveLpRelaxation,
  type LpColumn,
} from './lower-bound.js';
import { lpDive } from './lp-dive.js';
import { hasNoRoomToSpare, PACKAGE_LIMIT_G, totalMass, type MassGroups } from './mass-groups.js';
import { canonicalPatterns, packageCount, type MassPattern } from './patterns.js';
import { SCAN_WORK, type WorkBudget } from './work-budget.js';

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
/**
 * Work of the search before the LP where every package at the bound must be exactly full. On
 * Falkenauer's triplets the bound is always right and the search is what finds the packing: over
 * seeds 1 to 12 (600 events of 99 units) each needs at most 85 M (the benchmark's 50 of seed 1 at
 * most 25 M) since it lists full packages once (full-packages.ts). With 40 M, the 9 events that
 * need more paid an LP (about 40 M there, converging slowly to exactly full packages) and a dive
 * before the search went on: 4,281 M work units in all, 205 M at most; now 3,712 M, 88 M at most.
 * Where the bound is one short it is all wasted: of those 4,200 events only one more, a 400-800 g
 * event whose total fills its bound's packages exactly by chance (seed 10 event 12: 61 M -> 121 M).
 */
const NO_ROOM_SEARCH_WORK = 100_000_000;
/** Work of the search after the dive where (nearly) every package must be exactly full. */
const TIGHT_SEARCH_WORK = 120_000_000;
/** Up to this many distinct masses the LP comes first: it is cheap and settles most gaps. */
const LP_FIRST_MAX_GROUPS = 24;
/** Local search works on single units; beyond this many it is left out. */
const LOCAL_SEARCH_MAX_UNITS = 2000;
const QUICK_LOCAL_SEARCH_PASSES = 50;
const LOCAL_SEARCH_PASSES = 20_000;
/** Passes of each step of `closerToBound`, one package fewer at a time. */
const CLOSER_PASSES = 2_000;

/**
 * Packs all groups into as few packages as can be found within the budget, and proves it minimal
 * when it can. Never more packages than first-fit-decreasing, which is the first incumbent.
 */
export function packGroups(groups: MassGroups, budget: WorkBudget): GroupsPacking {
  const ffd = firstFitDecreasingGroups(groups);
  const l2 = cheapLowerBound(groups);
  if (packageCount(ffd) <= l2) return finished(groups, ffd, l2);

  // The reductions keep optimality, so the rest's bound plus the forced packages bounds the whole.
  const { forced, rest } = reduceByDominance(groups);
  const forcedCount = packageCount(forced);
  const restBound = Math.max(l2 - forcedCount, cheapLowerBound(rest));
  const restStart = forced.length === 0 ? ffd : firstFitDecreasingGroups(rest);
  const restPacking = improve(rest, restBound, restStart, budget, true);
  const reduced = [...forced, ...restPacking.patterns];
  return finished(groups, fewerPackages(ffd, reduced), forcedCount + restPacking.lowerBound);
}

/** The bounds that cost a pass or two over the groups: Martello–Toth L2 and Fekete–Schepers. */
function cheapLowerBound(groups: MassGroups): number {
  return Math.max(lowerBoundL2Groups(groups.masses, groups.counts), lowerBoundDffGroups(groups.masses, groups.counts));
}

function finished(groups: MassGroups, patterns: MassPattern[], lowerBound: number): GroupsPacking {
  const count = packageCount(patterns);
  return { patterns: canonicalPatterns(groups.masses, patterns), lowerBound, proven: count === lowerBound };
}

/**
 * Tries to bring `incumbent` down to `lowerBound`, raising the bound where it can. Cheap attempts
 * at the bound first (most instances have a packing there and one of them finds it), then the LP
 * bound, which closes most of the remaining gaps, then a dive guided by the LP's solution (which finds
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
  // One local search per bound and start, taken up again by each attempt (`localSearchPasses` more
  // passes): started over, a longer run first repeated the shorter one's passes.
  let localSearch: { bound: number; start: MassPattern[]; run: LocalSearch | undefined } | undefined;
  const attemptAtBound = (searchWork: number, localSearchPasses: number) => {
    if (search && searchWork > 0 && open()) {
      const attempt = search.pack(bound, searchWork);
      if (attempt.outcome === 'found') best = attempt.patterns;
      else if (attempt.outcome === 'infeasible') bound++;
    }
    if (localSearchFits && localSearchPasses > 0 && open()) {
      if (localSearch?.bound !== bound || localSearch.start !== best) {
        localSearch = { bound, start: best, run: LocalSearch.from(groups, best, bound, budget) };
      }
      best = localSearch.run?.run(localSearchPasses) ?? best;
    }
  };

  const presentGroups = groups.counts.filter((count) => count > 0).length;
  let lpColumns: readonly LpColumn[] | undefined;
  const raiseByLp = () => {
    if (!thorough || !open()) return;
    // With many masses the LP stops once its bound is settled (converging takes hundreds of
    // milliseconds there); with few it is cheap, and its optimum rounds to packings at the bound.
    const many = presentGroups > LP_FIRST_MAX_GROUPS;
    // The incumbent's packages spare many masses' LP hundreds of pivots; with few masses it
    // converges in a few anyway, and starting from them led it to optima that round worse (classic
    // 1,000-unit events: 85 packages more over 10,000 events within the default budget).
    const lp = solveLpRelaxation(groups, budget, {
      enough: packageCount(best),
      known: many ? bound : 0,
      pool: many ? packagesOf(best) : [],
      optimal: !many,
    });
    bound = Math.max(bound, lp.bound);
    // An LP that ran out of budget has no solution to guide a dive.
    if (lp.bound > 0) lpColumns = lp.columns;
    if (open()) best = fewerPackages(best, roundedLpPacking(groups, lp.columns, budget));
  };

  // With few masses the LP takes microseconds and usually settles everything; with many it can
  // take far longer than the cheap attempts, which usually succeed without it.
  if (presentGroups <= LP_FIRST_MAX_GROUPS) raiseByLp();
  attemptAtBound(QUICK_SEARCH_WORK, QUICK_LOCAL_SEARCH_PASSES);
  // With no room at all to spare at the bound, as in Falkenauer's triplets where every package
  // must be exactly full, units have few completions each and the exact search is what finds the
  // packing (the local search only wanders there, the LP converges slowly to exactly full
  // packages: 40 M work units on a triplet event): a long attempt before the LP. With a little
  // room (under an eighth of the lightest unit, where the search still lists nearly full
  // packages) the LP comes first: there it often raises the bound, which the attempt can only
  // waste its work on, and its solution leads the dive to the packing when it does not (the hard
  // families' largest events, seeds 1 and 7: 300-1000 g 98 M work units -> 78 M, 400-800 g
  // 134 M -> 94 M, Scholl set 3 110 M -> 70 M).
  if (thorough && presentGroups > LP_FIRST_MAX_GROUPS && hasNoRoomAtAll(groups, bound)) {
    attemptAtBound(NO_ROOM_SEARCH_WORK, 0);
  }
  if (presentGroups > LP_FIRST_MAX_GROUPS) raiseByLp();
  if (!thorough) return { patterns: best, lowerBound: bound };
  // Where the bound is right but packings at it are rare, the LP's solution knows where they are:
  // the dive follows it before any longer blind attempt. It follows the solution at which the LP
  // settled its bound, not an optimum: solving on to one took 30-50 M work units on 100 distinct
  // masses and found no more (the hard families' 300 benchmark events took 2,332 M work units in
  // all solving on to an optimum after the longer attempts, 1,986 M following the settled solution
  // before them). Where the bound leaves no room to spare the search goes on (longer) after it.
  if (lpColumns && open()) best = lpDive(groups, bound, lpColumns, budget) ?? best;
  if (isTight(groups, bound)) attemptAtBound(TIGHT_SEARCH_WORK, 0);
  attemptAtBound(10 * QUICK_SEARCH_WORK, LOCAL_SEARCH_PASSES / 10);
  // Longer and longer, alternating: the search may prove the bound impossible (where the local
  // search would only waste its passes), the local search may find what the search would not.
  // The search's last attempt is about as long as the local search after it (20,000 passes over
  // 100 units cost about 470 M work units): with 100 M against that, the random events whose
  // search needs a few hundred million units waited behind a local search that found nothing.
  // The local search goes on a while before the long search: Schwerin–Wäscher and Scholl style
  // events whose packing it found a few thousand passes further waited behind 500 M of search.
  attemptAtBound(0, LOCAL_SEARCH_PASSES / 5);
  attemptAtBound(500 * QUICK_SEARCH_WORK, LOCAL_SEARCH_PASSES);
  if (localSearchFits) best = closerToBound(groups, bound, best, budget);
  while (search && open()) {
    const attempt = search.pack(bound, Infinity);
    if (attempt.outcome === 'found') best = attempt.patterns;
    else if (attempt.outcome === 'infeasible') bound++;
    else break;
  }
  return { patterns: best, lowerBound: bound };
}

/**
 * The rare event still open here may end unproven when the budget runs out, and its packing should
 * not then stay where first-fit-decreasing left it: the local search aims one package below the
 * incumbent at a time (aiming at the bound, it finds nothing in between). On the one stress bench
 * event of 600 left unproven (bench/packing-stress.ts, 100 distinct masses of 400-800 g), 38
 * packages -> 35 against a bound and optimum of 34. Never reached by an event proven before it, so
 * it changes nothing else.
 */
function closerToBound(groups: MassGroups, bound: number, incumbent: MassPattern[], budget: WorkBudget): MassPattern[] {
  let best = incumbent;
  while (packageCount(best) > bound + 1) {
    const closer = LocalSearch.from(groups, best, packageCount(best) - 1, budget)?.run(CLOSER_PASSES);
    if (!closer) break;
    best = closer;
  }
  return best;
}

/** At `packages` packages, every package must be exactly full. */
function hasNoRoomAtAll(groups: MassGroups, packages: number): boolean {
  return packages * PACKAGE_LIMIT_G === totalMass(groups.masses, groups.counts);
}

/**
 * At `packages` packages, all of them together have less room to spare than a small part of the
 * lightest unit: (nearly) every package must be exactly full.
 */
function isTight(groups: MassGroups, packages: number): boolean {
  let lightest = 0;
  for (let g = groups.masses.length - 1; g >= 0 && lightest === 0; g--)
    if (groups.counts[g]! > 0) lightest = groups.masses[g]!;
  return hasNoRoomToSpare(packages * PACKAGE_LIMIT_G - totalMass(groups.masses, groups.counts), lightest);
}

/** The packages of a packing, once each: the LP starts its search for good packages from them. */
function packagesOf(patterns: readonly MassPattern[]): number[][] {
  return patterns.map((pattern) => [...pattern.counts]);
}

/** The first on a tie, so an incumbent is only replaced by something strictly better. */
function fewerPackages(first: MassPattern[], second: MassPattern[]): MassPattern[] {
  return packageCount(second) < packageCount(first) ? second : first;
}

/**
 * Rounds the LP's solution down to whole packages (a column's places for a mass with no units left
 * go to lighter units: packageOfColumn) and packs what is left over, a few packages' worth, with
 * first-fit-decreasing and the quick attempts.
 */
function roundedLpPacking(groups: MassGroups, columns: readonly LpColumn[], budget: WorkBudget): MassPattern[] {
  // Rounding down only pays when some pattern is used at least once (many units of few masses).
  if (!columns.some((column) => column.amount >= 1 - LP_ROUNDING_EPSILON)) return firstFitDecreasingGroups(groups);
  const patterns: MassPattern[] = [];
  const leftover = [...groups.counts];
  const take = (counts: readonly number[], count: number) => {
    patterns.push({ counts, count });
    counts.forEach((units, group) => {
      leftover[group]! -= units * count;
    });
  };
  for (const column of columns) {
    let copies = Math.floor(column.amount + LP_ROUNDING_EPSILON);
    // The copies whose units are all left go at once; past them a copy's places go to lighter
    // units (packageOfColumn), one copy at a time, each paid for.
    let intact = copies;
    column.counts.forEach((units, group) => {
      if (units > 0) intact = Math.min(intact, Math.floor(leftover[group]! / units));
    });
    if (intact > 0) take(column.counts, intact);
    for (copies -= intact; copies > 0 && budget.spend(SCAN_WORK * groups.masses.length); copies--) {
      const counts = packageOfColumn(column.counts, leftover);
      if (counts.every((units) => units === 0)) break;
      take(counts, 1);
    }
  }
  const residual: MassGroups = { masses: groups.masses, counts: leftover };
  const residualLowerBound = lowerBoundL2Groups(residual.masses, residual.counts);
  const residualPacking = improve(residual, residualLowerBound, firstFitDecreasingGroups(residual), budget, false);
  return [...patterns, ...residualPacking.patterns];
}
