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
import { FullPackages } from './full-packages.js';
import { lowerBoundL2Groups } from './lower-bound.js';
import { hasNoRoomToSpare, PACKAGE_LIMIT_G, totalMass, type MassGroups } from './mass-groups.js';
import type { MassPattern } from './patterns.js';
import { SCAN_WORK, type WorkBudget } from './work-budget.js';
import { xorshift } from './xorshift.js';

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
/** Work of the first run of an attempt; each restart doubles it. */
const RESTART_FIRST_WORK = 6_000_000;
/**
 * In a restart, completions whose fill differs by less than this share of the room to spare count
 * as near-ties: each is ranked as if fuller by a random part of that share.
 */
const NEAR_TIE_SLACK_SHARE = 0.3;
/** Branching on the unit with the fewest completions: how many completions at most... */
const MRV_MOST_COMPLETIONS = 64;
/** ...how many listing steps for one group before it counts as too many to list, and for all. */
const MRV_GROUP_VISITS = 2_000;
const MRV_VISITS = 10_000;
/** Beyond this many masses a node cannot afford to look at them all: the heaviest unit is completed. */
const MRV_MAX_GROUPS = 200;
/**
 * With no room to spare at an attempt's root, its (nearly) full packages are listed once if there
 * are at most this many (Falkenauer's 99-unit triplets have 350 to 460) and the listing costs at
 * most FULL_PACKAGES_WORK (a few milliseconds); else each node lists its units' completions.
 */
const FULL_PACKAGES_MAX = 20_000;
const FULL_PACKAGES_WORK = 5_000_000;

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
  private budgetSpent = false;
  /** The tie-breaking order of this run (undefined: as listed). */
  private tieOrder: (() => number) | undefined;
  /** The package count the restarts were for, and the next run's number. */
  private restartsFor = -1;
  private nextRestart = 0;
  private scanWork = 0;
  private readonly scratch: CursorScratch;
  /**
   * The listing of each open node's completions, by depth: a node's cursor lives while the nodes
   * below it list theirs. Made once per depth, not per node (allocating them was a tenth of the
   * search's time on the distinct-mass families).
   */
  private readonly scratchByDepth: CursorScratch[] = [];
  /**
   * Per group, how many completions its unit had when last listed (at least that many when the
   * listing was cut short); the fewest-completions scan looks at the fewest first. Packing units
   * only ever takes completions away, so a unit that was nearly forced mostly still is, and the
   * scan can stop at the first unit with one completion instead of listing the others first.
   */
  private readonly lastCompletions: Int32Array;
  private readonly scanOrder: number[] = [];
  /** The (nearly) full packages of the attempt's package count, where it has no room to spare. */
  private full: FullPackages | undefined;

  constructor(
    groups: MassGroups,
    private readonly budget: WorkBudget,
  ) {
    this.masses = groups.masses;
    this.counts = [...groups.counts];
    this.remainingMass = totalMass(groups.masses, groups.counts);
    const groupCount = groups.masses.length;
    this.lastCompletions = new Int32Array(groupCount);
    this.scratch = cursorScratch(groupCount);
  }

  /** Looks for a packing into `packages`; 'infeasible' is a proof, 'stopped' means out of work. */
  pack(packages: number, workLimit: number): SearchOutcome {
    // Restarts in Luby runs, each breaking the ties between equally full completions (and, with
    // room to spare, the near-ties) in another (seeded) order: where packings exist but the first
    // order wanders into a huge fruitless subtree, another order usually finds one soon. With no
    // room to spare (Falkenauer's triplets) every completion fills its package exactly, so ties
    // are all there is to reorder; with room, exact ties are rare, and a restart that only broke
    // them walked the same tree again (random 100-unit event 9121 took about 1.9 G work units in
    // all to find its packing, past the 1.5 G cap; 1.4 G with near-ties reordered). Any run that
    // ends is complete, so 'infeasible' stays a proof; failed states remembered by one run hold
    // for the next. A later attempt at the same count goes on with the next run, or runs again,
    // whole, the run this attempt's own cap cut short: the quick first attempt cut the first run
    // to a sixth, and the later attempts never gave it back its length (a triplet event whose
    // first run finds the packing after 3.3 M work units took 185 M without it).
    if (packages !== this.restartsFor) {
      this.restartsFor = packages;
      this.nextRestart = 0;
      this.full = this.fullPackages(packages);
    }
    let left = workLimit;
    for (;;) {
      const restart = this.nextRestart++;
      const runLength = RESTART_FIRST_WORK * luby(restart + 1);
      const cap = Math.min(left, runLength);
      this.workLeft = cap;
      this.outOfWork = false;
      // A small seed spread over 32 bits (golden ratio), so that consecutive restarts differ at once.
      this.tieOrder = restart === 0 ? undefined : xorshift(Math.imul(restart, 0x9e3779b9));
      const step = this.fits(packages);
      if (step === FOUND) return { outcome: 'found', patterns: this.packedPatterns() };
      if (step === INFEASIBLE) return { outcome: 'infeasible' };
      left -= cap - this.workLeft;
      if (cap < runLength) this.nextRestart = restart;
      if (this.budgetSpent || left <= 0) return { outcome: 'stopped' };
    }
  }

  /** False once this run's cap or the shared budget is spent. */
  spend(work: number): boolean {
    this.workLeft -= work;
    if (!this.budget.spend(work)) this.budgetSpent = true;
    if (this.workLeft < 0 || this.budgetSpent) this.outOfWork = true;
    return !this.outOfWork;
  }

  private fits(packagesLeft: number): Step {
    const heaviest = this.heaviestLeft();
    if (heaviest < 0) return FOUND;
    if (this.remainingMass > packagesLeft * LIMIT) return INFEASIBLE;
    if (lowerBoundL2Groups(this.masses, this.counts) > packagesLeft) return INFEASIBLE;
    const state = this.stateKey();
    if ((this.shownImpossible.get(state) ?? 0) >= packagesLeft) return INFEASIBLE;

    if (!this.spend(NODE_WORK + NODE_WORK_PER_GROUP * this.masses.length)) return STOPPED;

    const slack = packagesLeft * LIMIT - this.remainingMass;
    const branch = this.fewestCompletions(heaviest, slack);
    if (branch === STOPPED) return STOPPED;
    if (branch === INFEASIBLE) {
      this.remember(state, packagesLeft);
      return INFEASIBLE;
    }
    const { group, listed } = branch;
    const mass = this.masses[group]!;
    this.adjustCount(group, -1);
    this.remainingMass -= mass;
    // The cursor lists completions lazily (there can be astronomically many, say 40 light masses
    // that fill a package in countless ways); the first batch is sorted fullest first (Korf's
    // order, which finds packings soonest). The cursor reads `counts`, which are restored below
    // before it is asked for the next completion.
    const cursor = listed
      ? undefined
      : new CompletionCursor(this, group, LIMIT - mass, slack, Infinity, this.scratchAt(this.packed.length));
    const batch = this.fullestFirst(listed ?? cursor!.take(SORTED_COMPLETIONS), slack);
    let step: Step = INFEASIBLE;
    for (let i = 0; step === INFEASIBLE; i++) {
      const completion = i < batch.length ? batch[i] : cursor?.next();
      if (!completion) break;
      // The listing's work so far is charged before going deeper, so a spent budget stops the
      // search here: left to the way back up, every open level's uncharged batch (up to 4,095
      // units each, a 236-package dive deep) let an attempt run a third past its cap, and the
      // attempts after it found the budget gone.
      if (cursor && !cursor.chargeListed()) break;
      this.take(completion.items, -1);
      this.packed.push([group, 1, ...completion.items]);
      step = this.fits(packagesLeft - 1);
      if (step === FOUND) return FOUND; // the path is the packing: leave it in place
      this.packed.pop();
      this.take(completion.items, 1);
    }
    // The listing's last batch of work is charged too (the budget counts all of it).
    cursor?.release();
    // Work that ran out while completions were still being listed proves nothing.
    if (this.outOfWork) step = STOPPED;
    this.adjustCount(group, 1);
    this.remainingMass += mass;
    if (step === INFEASIBLE) this.remember(state, packagesLeft);
    return step;
  }

  /**
   * Korf's order, fullest first. In the first run ties stay as listed; in a restart they come in
   * this run's order, and so do near-ties: with `slack` to spare, each completion ranks as if
   * fuller by a random part of NEAR_TIE_SLACK_SHARE of it.
   */
  private fullestFirst(completions: Completion[], slack: number): Completion[] {
    const random = this.tieOrder;
    if (!random) return completions.sort((a, b) => b.mass - a.mass);
    const spread = slack * NEAR_TIE_SLACK_SHARE;
    const keyed = completions.map((completion) => {
      const tie = random();
      return { completion, rank: completion.mass + tie * spread, tie };
    });
    keyed.sort((a, b) => b.rank - a.rank || a.tie - b.tie);
    return keyed.map(({ completion }) => completion);
  }

  private remember(state: string, packagesLeft: number): void {
    if (this.shownImpossible.size < MAX_REMEMBERED_STATES) this.shownImpossible.set(state, packagesLeft);
  }

  /**
   * Which unit's package to complete next. Every unit left needs some package, so any unit will
   * do; the one with the fewest acceptable completions (all listed) fails or succeeds soonest, and a
   * unit with none proves the state impossible (with no room to spare, as when every package must
   * be exactly full, most units then have one or two completions and the search hardly branches).
   * Listing costs work, so each group gets up to MRV_GROUP_VISITS steps and all of them MRV_VISITS;
   * the heaviest unit, the classic choice, is the default when no listing ends. Groups are looked
   * at in the order of their completions when last listed, fewest first, so the scan mostly stops
   * at once on a unit with one completion (on Falkenauer's triplets it listed about 20 groups per
   * node in group order, and that listing was most of the search's work).
   *
   * With room to spare the heaviest unit is taken at once: there every unit has hundreds of
   * completions, the listings hardly ever end, and looking cost up to 50 times a node's own work
   * for a choice no better than the heaviest (random 100-unit events spent 80 % of the search's
   * work on it and ran into the safety cap; classic 1,000-unit events reached 38 nodes of a
   * 236-package dive in the default budget).
   */
  private fewestCompletions(
    heaviest: number,
    slack: number,
  ): { group: number; listed: Completion[] | undefined } | typeof INFEASIBLE | typeof STOPPED {
    if (this.full) return this.fewestFromFull(this.full, heaviest, slack);
    let best: { group: number; listed: Completion[] | undefined } = { group: heaviest, listed: undefined };
    if (this.masses.length > MRV_MAX_GROUPS || !hasNoRoomToSpare(slack, this.lightestLeft())) return best;
    let fewest = MRV_MOST_COMPLETIONS + 1;
    let visitsLeft = MRV_VISITS;
    const scratch = this.scratch;
    scratch.lightest = fillMassFrom(this, scratch.massFrom, scratch.withUnitsFrom);
    if (!this.spend(SCAN_WORK * this.masses.length)) return STOPPED;
    const order = this.scanOrder;
    order.length = 0;
    for (let g = heaviest; g < this.masses.length; g++) if (this.counts[g]! > 0) order.push(g);
    const last = this.lastCompletions;
    order.sort((a, b) => last[a]! - last[b]! || a - b);
    if (!this.spend(SCAN_WORK * order.length * Math.ceil(Math.log2(order.length + 1)))) return STOPPED;
    for (let k = 0; k < order.length && visitsLeft > 0 && fewest > 1; k++) {
      const g = order[k]!;
      const mass = this.masses[g]!;
      this.counts[g]!--;
      this.remainingMass -= mass;
      const cursor = new CompletionCursor(
        this,
        0,
        LIMIT - mass,
        slack,
        Math.min(visitsLeft, MRV_GROUP_VISITS),
        scratch,
      );
      const listed = cursor.take(fewest);
      cursor.release();
      visitsLeft -= cursor.visited + 1;
      this.counts[g]!++;
      this.remainingMass += mass;
      if (this.outOfWork) return STOPPED;
      last[g] = cursor.exhausted ? listed.length : Math.max(last[g]!, listed.length);
      if (!cursor.exhausted) continue;
      if (listed.length === 0) return INFEASIBLE;
      if (listed.length < fewest) {
        fewest = listed.length;
        best = { group: g, listed };
      }
    }
    return best;
  }

  /** This depth's listing scratch, cleared, with the reach of the units left (the unit to complete taken out). */
  private scratchAt(depth: number): CursorScratch {
    let scratch = this.scratchByDepth[depth];
    if (!scratch) {
      scratch = cursorScratch(this.masses.length);
      this.scratchByDepth[depth] = scratch;
    }
    // A found packing leaves its path's listings where they stopped: cleared here, not there.
    scratch.chosen.fill(0);
    scratch.lightest = fillMassFrom(this, scratch.massFrom, scratch.withUnitsFrom);
    return scratch;
  }

  /** The first group with units left (-1 when none); a plain loop, as it runs at every node. */
  private heaviestLeft(): number {
    const counts = this.counts;
    for (let g = 0; g < counts.length; g++) if (counts[g]! > 0) return g;
    return -1;
  }

  /**
   * The units left as a string key for the failed states: one UTF-16 code unit per count when all
   * fit in one (always, up to 100 units), else the counts joined by commas. The two forms never
   * meet: the first starts with U+0001, which the second never holds.
   */
  private stateKey(): string {
    const counts = this.counts;
    for (let g = 0; g < counts.length; g++) if (counts[g]! > 0xfffe) return counts.join(',');
    return String.fromCharCode(1, ...counts);
  }

  /** The mass of the lightest unit left (0 when none). */
  private lightestLeft(): number {
    for (let g = this.masses.length - 1; g >= 0; g--) if (this.counts[g]! > 0) return this.masses[g]!;
    return 0;
  }

  private take(items: readonly number[], sign: 1 | -1): void {
    for (let i = 0; i < items.length; i += 2) {
      const group = items[i]!;
      const units = items[i + 1]!;
      this.adjustCount(group, sign * units);
      this.remainingMass += sign * units * this.masses[group]!;
    }
  }

  /** Every lasting change of a count goes through here, so the full packages follow it. */
  private adjustCount(group: number, delta: number): void {
    const before = this.counts[group]!;
    this.counts[group] = before + delta;
    if (this.full) this.scanWork += this.full.countChanged(group, before, before + delta);
  }

  /**
   * The (nearly) full packages at `packages` packages when they have no room to spare and are
   * few enough to list (their listing is charged to the shared budget); else undefined.
   */
  private fullPackages(packages: number): FullPackages | undefined {
    const slack = packages * LIMIT - this.remainingMass;
    if (slack < 0 || this.masses.length > MRV_MAX_GROUPS || !hasNoRoomToSpare(slack, this.lightestLeft())) {
      return undefined;
    }
    const listed = FullPackages.list(this.masses, this.counts, slack, FULL_PACKAGES_MAX, FULL_PACKAGES_WORK);
    if (!this.budget.spend(listed.work)) this.budgetSpent = true;
    return listed.packages;
  }

  /**
   * The fewest-completions choice from the full packages: the group with units left in the fewest
   * possible packages, and its acceptable completions (waste at most `slack`, undominated).
   */
  private fewestFromFull(
    full: FullPackages,
    heaviest: number,
    slack: number,
  ): { group: number; listed: Completion[] } | typeof INFEASIBLE | typeof STOPPED {
    let group = -1;
    let fewest = Infinity;
    for (let g = heaviest; g < this.masses.length; g++) {
      if (this.counts[g] === 0) continue;
      const possible = full.possibleHolding(g);
      if (possible === 0) return INFEASIBLE;
      if (possible < fewest) {
        fewest = possible;
        group = g;
      }
    }
    if (!this.spend(SCAN_WORK * this.masses.length)) return STOPPED;
    const candidates = full.completionsOf(group, slack);
    // Dominance is judged on the units left beside the unit completed (taken out for the check).
    this.counts[group]!--;
    const { chosen } = this.scratch;
    const listed = candidates.filter((completion) => {
      const groups: number[] = [];
      for (let i = 0; i < completion.items.length; i += 2) {
        chosen[completion.items[i]!] = completion.items[i + 1]!;
        groups.push(completion.items[i]!);
      }
      const acceptable = this.isUndominated(chosen, groups, LIMIT - this.masses[group]! - completion.mass);
      for (const g of groups) chosen[g] = 0;
      return acceptable;
    });
    this.counts[group]!++;
    if (!this.spend(this.takeScanWork() + candidates.length * VISIT_WORK)) return STOPPED;
    return listed.length === 0 ? INFEASIBLE : { group, listed };
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
  isUndominated(chosen: readonly number[], chosenGroups: readonly number[], left: number): boolean {
    return this.isMaximal(chosen, left) && !this.isDominated(chosen, chosenGroups, left);
  }

  private isMaximal(chosen: readonly number[], left: number): boolean {
    for (let g = this.masses.length - 1; g >= 0; g--) {
      this.scanWork++;
      if (this.counts[g]! > chosen[g]!) return this.masses[g]! > left;
    }
    return true;
  }

  /** `chosenGroups`: the groups with units in `chosen`, ascending (the pairs are looked at only there). */
  private isDominated(chosen: readonly number[], chosenGroups: readonly number[], left: number): boolean {
    const { masses } = this;
    for (let i = 0; i < chosenGroups.length; i++) {
      const a = chosenGroups[i]!;
      this.scanWork++;
      if (this.hasOutsideUnitBetween(chosen, masses[a]! + 1, masses[a]! + left)) return true;
      for (let j = i; j < chosenGroups.length; j++) {
        const b = chosenGroups[j]!;
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
 * What a cursor lists with, shared by the cursors of the fewest-completions scan of one node (and
 * made once per depth for the node's own listing): the mass of the units left from each group on
 * (`massFrom[g]`, lighter groups included) and the lightest unit left, for the scan counted before
 * the unit to complete is taken out (so they can only overestimate what is reachable, which keeps
 * the pruning sound), and a `chosen` buffer left all zero after each use.
 */
interface CursorScratch {
  readonly chosen: number[];
  readonly massFrom: number[];
  /** The first group from g on with units left (groupCount when none): skips the emptied groups. */
  readonly withUnitsFrom: number[];
  lightest: number;
  /** The scan's cursors run one after another, so they share one stack. */
  readonly frames: CursorFrames;
}

function cursorScratch(groupCount: number): CursorScratch {
  return {
    chosen: new Array<number>(groupCount).fill(0),
    massFrom: new Array<number>(groupCount + 1).fill(0),
    withUnitsFrom: new Array<number>(groupCount + 1).fill(0),
    lightest: 0,
    frames: cursorFrames(groupCount),
  };
}

/** Fills `massFrom` and `withUnitsFrom` for the units left; answers the lightest unit's mass (0 when none). */
function fillMassFrom(search: BinCompletionSearch, massFrom: number[], withUnitsFrom: number[]): number {
  let lightest = 0;
  const groupCount = search.groupCount;
  massFrom[groupCount] = 0;
  withUnitsFrom[groupCount] = groupCount;
  for (let g = groupCount - 1; g >= 0; g--) {
    const units = search.unitsLeft(g);
    massFrom[g] = massFrom[g + 1]! + units * search.massOf(g);
    withUnitsFrom[g] = units > 0 ? g : withUnitsFrom[g + 1]!;
    if (lightest === 0 && units > 0) lightest = search.massOf(g);
  }
  return lightest;
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
  private readonly massFrom: readonly number[];
  private readonly withUnitsFrom: readonly number[];
  /** The open groups, ascending, as a stack (typed arrays: objects per visit were most of the GC). */
  private readonly frames: CursorFrames;
  private depth = 0;
  /** The next group to decide, from `pendingFrom` on, with room `pendingLeft` (see the class comment for `need`). */
  private hasPending = true;
  private pendingFrom: number;
  private pendingLeft: number;
  private pendingNeed = 0;
  private readonly groupsBuffer: number[] = [];
  private enumerationWork = 0;
  private visits = 0;
  get visited(): number {
    return this.visits;
  }
  /** The lightest unit left: no more than `left / lightest` units fit in the room `left`. */
  private readonly lightest: number;
  /** Every completion has been listed (not cut short by `maxVisits` or the budget). */
  exhausted = false;

  constructor(
    private readonly search: BinCompletionSearch,
    first: number,
    private readonly room: number,
    private readonly slack: number,
    private readonly maxVisits: number,
    scratch: CursorScratch,
  ) {
    this.chosen = scratch.chosen;
    this.massFrom = scratch.massFrom;
    this.withUnitsFrom = scratch.withUnitsFrom;
    this.lightest = scratch.lightest;
    this.frames = scratch.frames;
    this.pendingFrom = first;
    this.pendingLeft = room;
  }

  /**
   * Leaves a shared `chosen` all zero again, wherever the listing stopped, and charges the work
   * not charged yet (false when that exceeds the budget).
   */
  release(): boolean {
    for (let d = 0; d < this.depth; d++) this.chosen[this.frames.group[d]!] = 0;
    return this.chargeListed();
  }

  /** Charges the listing work not charged yet; false when that exceeds the budget. */
  chargeListed(): boolean {
    const work = this.enumerationWork;
    this.enumerationWork = 0;
    return this.search.spend(work);
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
    const { search, chosen, frames } = this;
    const groupCount = search.groupCount;
    for (;;) {
      if (this.hasPending) {
        const from = this.pendingFrom;
        const left = this.pendingLeft;
        const need = this.pendingNeed;
        this.hasPending = false;
        // Units taken out after the skip list was made (the unit to complete) are skipped here.
        let g = this.withUnitsFrom[Math.max(from, search.firstGroupAtMost(left))]!;
        while (g < groupCount && search.unitsLeft(g) === 0) g = this.withUnitsFrom[g + 1]!;
        if (++this.visits > this.maxVisits || !this.charge(VISIT_WORK)) return undefined;
        if (g === groupCount) {
          const acceptable = need <= 0 && left <= this.slack && search.isUndominated(chosen, this.chosenGroups(), left);
          if (!this.charge(search.takeScanWork())) return undefined;
          if (acceptable) return this.completionOf(this.room - left);
          continue;
        }
        // At most left / lightest more units fit, none heavier than group g's.
        const reachable = Math.min(left, this.massFrom[g]!, Math.floor(left / this.lightest) * search.massOf(g));
        if (left - reachable > this.slack || need > reachable) continue;
        const most = Math.min(search.unitsLeft(g), Math.floor(left / search.massOf(g)));
        const d = this.depth++;
        frames.group[d] = g;
        frames.units[d] = most + 1;
        frames.most[d] = most;
        frames.left[d] = left;
        frames.need[d] = need;
      }
      // Next choice at the deepest open group: one unit fewer.
      const d = this.depth - 1;
      if (d < 0) {
        this.exhausted = true;
        return undefined;
      }
      const group = frames.group[d]!;
      const units = --frames.units[d]!;
      if (units < 0) {
        chosen[group] = 0;
        this.depth--;
        continue;
      }
      chosen[group] = units;
      const mass = search.massOf(group);
      const stillNeeded = frames.need[d]! - units * mass;
      this.hasPending = true;
      this.pendingFrom = group + 1;
      this.pendingLeft = frames.left[d]! - units * mass;
      this.pendingNeed = units < frames.most[d]! ? Math.max(stillNeeded, mass + 1) : stillNeeded;
    }
  }

  /** The groups of the completion being listed, ascending (the open frames that took units). */
  private chosenGroups(): number[] {
    const groups = this.groupsBuffer;
    groups.length = 0;
    for (let d = 0; d < this.depth; d++) {
      const group = this.frames.group[d]!;
      if (this.chosen[group]! > 0) groups.push(group);
    }
    return groups;
  }

  /** Enumeration can be long within one node, so its work is charged as it goes, in batches. */
  private charge(work: number): boolean {
    this.enumerationWork += work;
    if (this.enumerationWork < 4096) return true;
    const spent = this.enumerationWork;
    this.enumerationWork = 0;
    return this.search.spend(spent);
  }

  /** `[group, units, ...]` over the open frames, which hold every chosen group, ascending. */
  private completionOf(mass: number): Completion {
    const items: number[] = [];
    for (let d = 0; d < this.depth; d++) {
      const group = this.frames.group[d]!;
      const units = this.chosen[group]!;
      if (units > 0) items.push(group, units);
    }
    return { items, mass };
  }
}

/** A cursor's stack of open groups: one entry per group at most, since groups only ascend. */
interface CursorFrames {
  readonly group: Int32Array;
  readonly units: Int32Array;
  readonly most: Int32Array;
  readonly left: Int32Array;
  readonly need: Int32Array;
}

function cursorFrames(groupCount: number): CursorFrames {
  return {
    group: new Int32Array(groupCount),
    units: new Int32Array(groupCount),
    most: new Int32Array(groupCount),
    left: new Int32Array(groupCount),
    need: new Int32Array(groupCount),
  };
}

/** The Luby sequence 1, 1, 2, 1, 1, 2, 4, 1, ... (i from 1): run lengths near optimal for unknown run-time distributions. */
function luby(i: number): number {
  for (let k = 1; ; k++) {
    if (i === 2 ** k - 1) return 2 ** (k - 1);
    if (i < 2 ** k - 1) return luby(i - 2 ** (k - 1) + 1);
  }
}
