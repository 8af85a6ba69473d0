/**
 * Exact bin-completion search (Korf 2003) over groups of identical masses: a packing into a given
 * number of packages, or a proof that there is none.
 *
 * Invariant: every pruning rule is sound (see `BinCompletionSearch`), so only an exhausted search
 * answers 'infeasible', and that is a proof; running out of work, the attempt's own cap or the
 * shared budget, answers 'stopped' (even while completions are still being listed), which proves
 * nothing. Work is charged per node, and during a long enumeration in batches as it goes. For the
 * heaviest unit left it tries the fullest package first, so its packages come out as full as
 * possible at the front, with the slack collected in the last ones.
 */
import { lowerBoundL2Groups } from './lower-bound.js';
import { PACKAGE_LIMIT_G, totalMass, type MassGroups } from './mass-groups.js';
import type { MassPattern } from './patterns.js';
import { SCAN_WORK, type WorkBudget } from './work-budget.js';

const LIMIT = PACKAGE_LIMIT_G;

/** Completions of one package sorted fullest first; beyond this many they come as listed. */
const SORTED_COMPLETIONS = 64;
/** Failed states remembered; beyond this the search goes on without memory of new ones. */
const MAX_REMEMBERED_STATES = 200_000;
/** Work of one search node, plus per group for its bound and state key (scale: work-budget.ts). */
const NODE_WORK = 200;
const NODE_WORK_PER_GROUP = 40;
/** Work of one step of listing completions. */
const VISIT_WORK = 20;

export type SearchOutcome = { outcome: 'found'; patterns: MassPattern[] } | { outcome: 'infeasible' | 'stopped' };

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
export class BinCompletionSearch {
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
