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
import { PACKAGE_LIMIT_G, totalMass, type MassGroups } from './packing/mass-groups.js';
import type { WorkBudget } from './packing/work-budget.js';
import { reduceByDominance } from './packing/dominance-reduction.js';
import { firstFitDecreasingGroups } from './packing/first-fit-decreasing.js';
import { canonicalPatterns, packageCount, withoutUnits, type MassPattern } from './packing/patterns.js';

const LIMIT = PACKAGE_LIMIT_G;

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
/** Completions of one package sorted fullest first; beyond this many they come as listed. */
const SORTED_COMPLETIONS = 64;
/** Failed states remembered; beyond this the search goes on without memory of new ones. */
const MAX_REMEMBERED_STATES = 200_000;
const LP_ROUNDING_EPSILON = 1e-9;
/** An LP dive hands the rest to the exact search once this few packages are left... */
const DIVE_SEARCH_PACKAGES = 8;
/** ...with this much work (a few milliseconds) to find their packing. */
const DIVE_SEARCH_WORK = 2_000_000;
/** Where the LP uses no package whole, the dive tries this many of its largest, in turn... */
const DIVE_BRANCHES = 3;
/** ...and gives up after this many failed branches in all. */
const DIVE_FAILURES = 20;
/**
 * Work units charged to the budget, set so that a unit is about 2 ns on Node 20 x86-64 whatever
 * part spends it (measured over a few hundred random instances: 1.5 ns for the search, 2.3 for
 * the local search and the LP, whose unit, a knapsack cell, sets the scale).
 */
const NODE_WORK = 200;
const NODE_WORK_PER_GROUP = 40;
const VISIT_WORK = 20;
const SCAN_WORK = 3;
const POOL_CHOICE_WORK = 60;
const REFILL_QUERY_WORK = 80;
const PASS_WORK_PER_PACKAGE = 120;
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

type SearchOutcome = { outcome: 'found'; patterns: MassPattern[] } | { outcome: 'infeasible' | 'stopped' };

/** One way to fill the package of the heaviest unit left: `[group, units, group, units, ...]`. */
interface Completion {
  readonly items: number[];
  readonly mass: number;
}

const FOUND = 0;
const INFEASIBLE = 1;
const STOPPED = 2;
type Step = typeof FOUND | typeof INFEASIBLE | typeof STOPPED;

/**
 * Bin completion: take the heaviest unit left, try each undominated way to complete its package
 * (fullest first), recurse. Sound pruning only, so an exhausted search proves that the target
 * package count is impossible:
 * - L2 on what is left must fit in the packages left (this includes the waste bound: no package
 *   may waste more than the total slack).
 * - A completion is skipped when another one dominates it (Martello–Toth): some of its units could
 *   be swapped for a single unit left outside that weighs at least as much and still fits; an
 *   optimal packing never needs such a package. Checked during generation (a skipped unit that
 *   fits must be outweighed by the lighter units taken after it) and afterwards for one or two
 *   units against one.
 * - States already shown impossible with as many packages left or more are remembered.
 */
class BinCompletionSearch {
  private readonly masses: readonly number[];
  private readonly counts: number[];
  private remainingMass: number;
  /** State (remaining counts) to the most packages it was shown not to fit in. */
  private readonly shownImpossible = new Map<string, number>();
  /** The partial packing on the current path, one completion-with-its-heaviest-unit per package. */
  private readonly packed: number[][] = [];
  /** Work this attempt may still do (its own cap, within the shared budget). */
  private workLeft = 0;
  private outOfWork = false;
  private scanWork = 0;

  constructor(
    groups: MassGroups,
    private readonly budget: WorkBudget,
  ) {
    this.masses = groups.masses;
    this.counts = [...groups.counts];
    this.remainingMass = totalMass(groups.masses, groups.counts);
  }

  /** Looks for a packing into `packages`; 'infeasible' is a proof, 'stopped' means out of work. */
  pack(packages: number, workLimit: number): SearchOutcome {
    this.workLeft = workLimit;
    this.outOfWork = false;
    const step = this.fits(packages);
    if (step === FOUND) return { outcome: 'found', patterns: this.packedPatterns() };
    return { outcome: step === INFEASIBLE ? 'infeasible' : 'stopped' };
  }

  /** False once this attempt's cap or the shared budget is spent. */
  spend(work: number): boolean {
    this.workLeft -= work;
    if (this.workLeft < 0 || !this.budget.spend(work)) this.outOfWork = true;
    return !this.outOfWork;
  }

  private fits(packagesLeft: number): Step {
    const heaviest = this.counts.findIndex((count) => count > 0);
    if (heaviest < 0) return FOUND;
    if (this.remainingMass > packagesLeft * LIMIT) return INFEASIBLE;
    if (lowerBoundL2Groups(this.masses, this.counts) > packagesLeft) return INFEASIBLE;
    const state = this.counts.join(',');
    if ((this.shownImpossible.get(state) ?? 0) >= packagesLeft) return INFEASIBLE;
    if (!this.spend(NODE_WORK + NODE_WORK_PER_GROUP * this.masses.length)) return STOPPED;

    const slack = packagesLeft * LIMIT - this.remainingMass;
    const mass = this.masses[heaviest]!;
    this.counts[heaviest]!--;
    this.remainingMass -= mass;
    // The cursor lists completions lazily (there can be astronomically many, say 40 light masses
    // that fill a package in countless ways); the first batch is sorted fullest first (Korf's
    // order, which finds packings soonest). The cursor reads `counts`, which are restored below
    // before it is asked for the next completion.
    const cursor = new CompletionCursor(this, heaviest, LIMIT - mass, slack);
    const batch = cursor.take(SORTED_COMPLETIONS).sort((a, b) => b.mass - a.mass);
    let step: Step = INFEASIBLE;
    for (let i = 0; step === INFEASIBLE; i++) {
      const completion = i < batch.length ? batch[i] : cursor.next();
      if (!completion) break;
      this.take(completion.items, -1);
      this.packed.push([heaviest, 1, ...completion.items]);
      step = this.fits(packagesLeft - 1);
      if (step === FOUND) return FOUND; // the path is the packing: leave it in place
      this.packed.pop();
      this.take(completion.items, 1);
    }
    // Work that ran out while completions were still being listed proves nothing.
    if (this.outOfWork) step = STOPPED;
    this.counts[heaviest]!++;
    this.remainingMass += mass;
    if (step === INFEASIBLE && this.shownImpossible.size < MAX_REMEMBERED_STATES) {
      this.shownImpossible.set(state, packagesLeft);
    }
    return step;
  }

  private take(items: readonly number[], sign: 1 | -1): void {
    for (let i = 0; i < items.length; i += 2) {
      const group = items[i]!;
      const units = items[i + 1]!;
      this.counts[group]! += sign * units;
      this.remainingMass += sign * units * this.masses[group]!;
    }
  }

  /** Units of each group still to pack (during enumeration: besides the heaviest one taken). */
  unitsLeft(group: number): number {
    return this.counts[group]!;
  }

  massOf(group: number): number {
    return this.masses[group]!;
  }

  get groupCount(): number {
    return this.masses.length;
  }

  /** The first group (masses descend) whose units weigh at most `mass`: binary search. */
  firstGroupAtMost(mass: number): number {
    let low = 0;
    let high = this.masses.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.masses[middle]! <= mass) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** Loop steps of the dominance checks since the last call, for the budget. */
  takeScanWork(): number {
    const work = this.scanWork * SCAN_WORK;
    this.scanWork = 0;
    return work;
  }

  /**
   * A complete, acceptable completion: maximal (no unit left outside fits in the room left, else
   * adding it would do at least as well) and not dominated by a swap of one or two of its units
   * for a single unit left outside that weighs at least as much and still fits.
   */
  isUndominated(chosen: readonly number[], left: number): boolean {
    return this.isMaximal(chosen, left) && !this.isDominated(chosen, left);
  }

  private isMaximal(chosen: readonly number[], left: number): boolean {
    for (let g = this.masses.length - 1; g >= 0; g--) {
      this.scanWork++;
      if (this.counts[g]! > chosen[g]!) return this.masses[g]! > left;
    }
    return true;
  }

  private isDominated(chosen: readonly number[], left: number): boolean {
    const { masses } = this;
    for (let a = 0; a < masses.length; a++) {
      this.scanWork++;
      if (chosen[a] === 0) continue;
      if (this.hasOutsideUnitBetween(chosen, masses[a]! + 1, masses[a]! + left)) return true;
      for (let b = a; b < masses.length; b++) {
        this.scanWork++;
        if (chosen[b]! < (b === a ? 2 : 1)) continue;
        const pair = masses[a]! + masses[b]!;
        if (this.hasOutsideUnitBetween(chosen, pair, pair + left)) return true;
      }
    }
    return false;
  }

  private hasOutsideUnitBetween(chosen: readonly number[], lightest: number, heaviest: number): boolean {
    for (let g = this.firstGroupAtMost(heaviest); g < this.masses.length; g++) {
      this.scanWork++;
      const mass = this.masses[g]!;
      if (mass < lightest) return false;
      if (mass <= heaviest && this.counts[g]! > chosen[g]!) return true;
    }
    return false;
  }

  private packedPatterns(): MassPattern[] {
    return this.packed.map((items) => {
      const counts = new Array<number>(this.masses.length).fill(0);
      for (let i = 0; i < items.length; i += 2) counts[items[i]!]! += items[i + 1]!;
      return { counts, count: 1 };
    });
  }
}

/**
 * Lists the undominated, maximal completions of a package with `room` left that waste at most
 * `slack`, one at a time (a depth-first walk with an explicit stack: nested generators were many
 * times slower). Groups are decided heaviest first, each from as many units as fit down to none,
 * so fuller completions tend to come first. `need` is the mass the lighter groups must still add:
 * skipping a unit that fits only pays if the lighter units taken instead outweigh it (otherwise
 * swapping them for it does at least as well).
 */
class CompletionCursor {
  private readonly chosen: number[];
  private readonly massFrom: number[];
  private readonly frames: { group: number; units: number; most: number; left: number; need: number }[] = [];
  private pending: { from: number; left: number; need: number } | undefined;
  private enumerationWork = 0;

  constructor(
    private readonly search: BinCompletionSearch,
    first: number,
    private readonly room: number,
    private readonly slack: number,
  ) {
    const groupCount = search.groupCount;
    this.chosen = new Array<number>(groupCount).fill(0);
    this.massFrom = new Array<number>(groupCount + 1).fill(0);
    for (let g = groupCount - 1; g >= 0; g--) {
      this.massFrom[g] = this.massFrom[g + 1]! + search.unitsLeft(g) * search.massOf(g);
    }
    this.pending = { from: first, left: room, need: 0 };
  }

  take(limit: number): Completion[] {
    const completions: Completion[] = [];
    while (completions.length < limit) {
      const next = this.next();
      if (!next) break;
      completions.push(next);
    }
    return completions;
  }

  next(): Completion | undefined {
    const { search, chosen } = this;
    const groupCount = search.groupCount;
    for (;;) {
      if (this.pending) {
        const { from, left, need } = this.pending;
        this.pending = undefined;
        let g = Math.max(from, search.firstGroupAtMost(left));
        while (g < groupCount && search.unitsLeft(g) === 0) g++;
        if (!this.charge(VISIT_WORK + (g - from))) return undefined;
        if (g === groupCount) {
          const acceptable = need <= 0 && left <= this.slack && search.isUndominated(chosen, left);
          if (!this.charge(search.takeScanWork())) return undefined;
          if (acceptable) return this.completionOf(this.room - left);
          continue;
        }
        const reachable = Math.min(left, this.massFrom[g]!);
        if (left - reachable > this.slack || need > reachable) continue;
        const most = Math.min(search.unitsLeft(g), Math.floor(left / search.massOf(g)));
        this.frames.push({ group: g, units: most + 1, most, left, need });
      }
      // Next choice at the deepest open group: one unit fewer.
      const frame = this.frames[this.frames.length - 1];
      if (!frame) return undefined;
      frame.units--;
      if (frame.units < 0) {
        chosen[frame.group] = 0;
        this.frames.pop();
        continue;
      }
      chosen[frame.group] = frame.units;
      const mass = search.massOf(frame.group);
      const stillNeeded = frame.need - frame.units * mass;
      this.pending = {
        from: frame.group + 1,
        left: frame.left - frame.units * mass,
        need: frame.units < frame.most ? Math.max(stillNeeded, mass + 1) : stillNeeded,
      };
    }
  }

  /** Enumeration can be long within one node, so its work is charged as it goes, in batches. */
  private charge(work: number): boolean {
    this.enumerationWork += work;
    if (this.enumerationWork < 4096) return true;
    const spent = this.enumerationWork;
    this.enumerationWork = 0;
    return this.search.spend(spent);
  }

  private completionOf(mass: number): Completion {
    const items: number[] = [];
    this.chosen.forEach((units, group) => {
      if (units > 0) items.push(group, units);
    });
    return { items, mass };
  }
}

/**
 * Local search for a packing into `packages` packages. It cannot prove that none exists (the exact
 * search does that) but finds one where the exact search would wander, typically when the bound
 * is right but only few packings meet it.
 *
 * Starts from `start` with its lightest packages emptied into a pool of unpacked units. A pass
 * refills each package in turn with the best swap of up to two of its units for up to two pool
 * units that weigh more and still fit, so each refill leaves the pool lighter. A pass that changes
 * nothing empties one package (the lighter of two picked at random) to shake things up. Done when
 * the pool is empty. The random picks come from a fixed-seed generator: same input, same result.
 */
export function localSearchPacking(
  groups: MassGroups,
  start: readonly MassPattern[],
  packages: number,
  budget: WorkBudget,
  maxPasses: number,
): MassPattern[] | undefined {
  const { masses } = groups;
  // Unpacking the patterns into units reads every pattern's counts: paid for before it is done.
  if (!budget.spend(start.length * masses.length * SCAN_WORK + packageCount(start) * PASS_WORK_PER_PACKAGE)) {
    return undefined;
  }
  const bins: number[][] = [];
  for (const pattern of start) {
    const units = unitsOf(pattern.counts);
    for (let i = 0; i < pattern.count; i++) bins.push(i === 0 ? units : [...units]);
  }
  bins.sort((a, b) => loadOf(masses, b) - loadOf(masses, a));
  const pool = bins.splice(packages).flat();
  while (bins.length < packages) bins.push([]);
  const loads = bins.map((bin) => loadOf(masses, bin));
  const random = xorshift(0x9e3779b9);

  for (let pass = 0; pass < maxPasses && pool.length > 0; pass++) {
    const choices = new PoolChoices(masses, pool);
    let changed = false;
    for (let b = 0; b < bins.length && pool.length > 0; b++) {
      const swap = bestRefill(masses, bins[b]!, loads[b]!, choices);
      if (!swap) continue;
      const taken = swap.fromBin.map((i) => bins[b]![i]!);
      const given = swap.fromPool.map((i) => pool[i]!);
      bins[b] = bins[b]!.filter((_, i) => !swap.fromBin.includes(i)).concat(given);
      const rest = pool.filter((_, i) => !swap.fromPool.includes(i));
      pool.splice(0, pool.length, ...rest, ...taken);
      loads[b]! += swap.gain;
      choices.rebuild(pool);
      changed = true;
    }
    if (!budget.spend(choices.work + bins.length * PASS_WORK_PER_PACKAGE)) return undefined;
    if (!changed && pool.length > 0) {
      const one = Math.floor(random() * bins.length);
      const other = Math.floor(random() * bins.length);
      const emptied = loads[other]! < loads[one]! ? other : one;
      pool.push(...bins[emptied]!);
      bins[emptied] = [];
      loads[emptied] = 0;
    }
  }
  if (pool.length > 0) return undefined;
  return bins.filter((bin) => bin.length > 0).map((bin) => ({ counts: countsOf(masses.length, bin), count: 1 }));
}

/** One unit per entry, as its group index. */
function unitsOf(counts: readonly number[]): number[] {
  const units: number[] = [];
  for (let group = 0; group < counts.length; group++) {
    for (let i = counts[group]!; i > 0; i--) units.push(group);
  }
  return units;
}

function countsOf(groupCount: number, units: readonly number[]): number[] {
  const counts = new Array<number>(groupCount).fill(0);
  for (const group of units) counts[group]!++;
  return counts;
}

function loadOf(masses: readonly number[], units: readonly number[]): number {
  return units.reduce((sum, group) => sum + masses[group]!, 0);
}

/** The heaviest refill of one package: give up to two units, take up to two heavier from the pool. */
function bestRefill(
  masses: readonly number[],
  bin: readonly number[],
  load: number,
  choices: PoolChoices,
): { fromBin: number[]; fromPool: number[]; gain: number } | undefined {
  let best: { fromBin: number[]; fromPool: number[]; gain: number } | undefined;
  const consider = (fromBin: number[], given: number) => {
    const choice = choices.heaviestUpTo(LIMIT - load + given);
    if (choice && choice.mass - given > (best?.gain ?? 0)) {
      best = { fromBin, fromPool: choice.units, gain: choice.mass - given };
    }
  };
  consider([], 0);
  for (let i = 0; i < bin.length; i++) {
    consider([i], masses[bin[i]!]!);
    for (let j = i + 1; j < bin.length; j++) consider([i, j], masses[bin[i]!]! + masses[bin[j]!]!);
  }
  return best;
}

/** Every single pool unit and every pair, sorted by mass, to find the heaviest that fits a room. */
class PoolChoices {
  private choices: { mass: number; units: number[] }[] = [];
  work = 0;

  constructor(
    private readonly masses: readonly number[],
    pool: readonly number[],
  ) {
    this.rebuild(pool);
  }

  rebuild(pool: readonly number[]): void {
    const choices: { mass: number; units: number[] }[] = [];
    for (let i = 0; i < pool.length; i++) {
      const mass = this.masses[pool[i]!]!;
      choices.push({ mass, units: [i] });
      for (let j = i + 1; j < pool.length; j++) choices.push({ mass: mass + this.masses[pool[j]!]!, units: [i, j] });
    }
    this.choices = choices.sort((a, b) => a.mass - b.mass);
    this.work += choices.length * POOL_CHOICE_WORK;
  }

  heaviestUpTo(room: number): { mass: number; units: number[] } | undefined {
    let low = 0;
    let high = this.choices.length - 1;
    let found: { mass: number; units: number[] } | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const choice = this.choices[middle]!;
      if (choice.mass <= room) {
        found = choice;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    this.work += REFILL_QUERY_WORK;
    return found;
  }
}

/** xorshift32: tiny, fast, and the same sequence on every run. */
function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}
