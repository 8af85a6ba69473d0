/**
 * Every package that is (nearly) exactly full, listed once, and how many of them the units left
 * still allow, per mass group: the exact search's choice of the unit with the fewest completions,
 * where the packages together have (almost) no room to spare.
 *
 * Why: there (Falkenauer's triplets) each unit has a handful of completions, and the search chose
 * its unit by listing them for up to every group at every node, which was about half of all its
 * work. Here the packages are listed once per attempt and each change of a count updates the few
 * packages that hold that group (Knuth's dancing links, in counts rather than links), so choosing
 * costs a pass over the groups.
 *
 * Invariant: `possible(p)` holds exactly when every group of package p has at least as many units
 * left as p holds, and `possibleWith[g]` counts the possible packages holding group g; both follow
 * every `countChanged`. A group with units left and no possible package proves the state
 * impossible (every unit needs a package that wastes at most the room to spare).
 */
import { PACKAGE_LIMIT_G } from './mass-groups.js';

const LIMIT = PACKAGE_LIMIT_G;

/** One step of the listing (a table cell or a visit), in budget units (work-budget.ts). */
const LIST_STEP_WORK = 3;

export class FullPackages {
  /**
   * The packages' items, all in one array: package p is `[group, units, group, units, ...]`
   * (groups ascending) from `start[p]` to `start[p + 1]`. Flat rather than an array per package:
   * on 100 distinct masses with a little room to spare the listing holds some 17,000 packages,
   * and building one array each took ten times as long as the listing itself.
   */
  private readonly items: Int32Array;
  private readonly start: Int32Array;
  private readonly mass: Int32Array;
  /** Per package: how many of its groups have fewer units left than it holds (possible when 0). */
  private readonly short: Int32Array;
  /**
   * Per group g, from `holderStart[g]` to `holderStart[g + 1]`: the packages holding it
   * (`holderPackage`) and how many units of it each holds (`holderUnits`).
   */
  private readonly holderStart: Int32Array;
  private readonly holderPackage: Int32Array;
  private readonly holderUnits: Int32Array;
  private readonly possibleWith: Int32Array;

  private constructor(
    private readonly masses: readonly number[],
    items: readonly number[],
    start: readonly number[],
  ) {
    const groups = masses.length;
    const packages = start.length - 1;
    this.items = Int32Array.from(items);
    this.start = Int32Array.from(start);
    this.mass = new Int32Array(packages);
    this.short = new Int32Array(packages);
    // Listed from the counts they fit, so every package starts possible: a group's possible
    // packages are all that hold it.
    this.possibleWith = new Int32Array(groups);
    for (let i = 0; i < items.length; i += 2) this.possibleWith[items[i]!]!++;
    this.holderStart = new Int32Array(groups + 1);
    for (let g = 0; g < groups; g++) this.holderStart[g + 1] = this.holderStart[g]! + this.possibleWith[g]!;
    this.holderPackage = new Int32Array(items.length / 2);
    this.holderUnits = new Int32Array(items.length / 2);
    const filled = this.holderStart.slice(0, groups);
    for (let p = 0; p < packages; p++) {
      let mass = 0;
      for (let i = start[p]!; i < start[p + 1]!; i += 2) {
        const group = items[i]!;
        const units = items[i + 1]!;
        mass += masses[group]! * units;
        const at = filled[group]!++;
        this.holderPackage[at] = p;
        this.holderUnits[at] = units;
      }
      this.mass[p] = mass;
    }
  }

  /**
   * Lists every package of the units in `counts` that wastes at most `slack` (in the order the
   * search's own listing has: heavier groups first, more units of a group first), or undefined
   * when there are more than `maxPackages` or the listing would take more than `maxWork`. `work`
   * is what the listing cost either way, to be charged by the caller.
   */
  static list(
    masses: readonly number[],
    counts: readonly number[],
    slack: number,
    maxPackages: number,
    maxWork: number,
  ): { packages: FullPackages | undefined; work: number } {
    const groups = masses.length;
    // reach[g * width + x]: the units of groups g.. can weigh exactly x (bounded by their counts).
    const width = LIMIT + 1;
    let work = (groups + 1) * width * LIST_STEP_WORK;
    if (work > maxWork) return { packages: undefined, work: 0 };
    const reach = new Uint8Array((groups + 1) * width);
    reach[groups * width] = 1;
    for (let g = groups - 1; g >= 0; g--) {
      const mass = masses[g]!;
      const most = Math.min(counts[g]!, Math.floor(LIMIT / mass));
      const row = g * width;
      const next = (g + 1) * width;
      for (let x = 0; x <= LIMIT; x++) {
        if (reach[next + x] === 0) continue;
        for (let units = 0, at = x; units <= most && at <= LIMIT; units++, at += mass) reach[row + at] = 1;
      }
      work += width * (most + 1) * LIST_STEP_WORK;
      if (work > maxWork) return { packages: undefined, work };
    }
    // windowFrom[g * width + x]: groups g.. can weigh something in [x - slack, x].
    const windowFrom = new Uint8Array((groups + 1) * width);
    for (let g = 0; g <= groups; g++) {
      const row = g * width;
      let lastReach = -Infinity;
      for (let x = 0; x <= LIMIT; x++) {
        if (reach[row + x] === 1) lastReach = x;
        if (x - lastReach <= slack) windowFrom[row + x] = 1;
      }
    }
    const items: number[] = [];
    const start: number[] = [0];
    // The package being built: `chosen[0 .. size)`, pairs of group and units.
    const chosen = new Int32Array(2 * groups);
    let size = 0;
    let tooMany = false;
    // Depth-first over groups, each from as many units as fit down to none, pruned by the table.
    const visit = (g: number, left: number): void => {
      if (tooMany) return;
      work += LIST_STEP_WORK;
      if (work > maxWork || start.length - 1 > maxPackages) {
        tooMany = true;
        return;
      }
      if (left <= slack && left < LIMIT) {
        for (let i = 0; i < size; i++) items.push(chosen[i]!);
        start.push(items.length);
      }
      for (let group = g; group < groups; group++) {
        if (windowFrom[group * width + left] === 0) return;
        const mass = masses[group]!;
        const most = Math.min(counts[group]!, Math.floor(left / mass));
        for (let units = most; units >= 1; units--) {
          const rest = left - units * mass;
          // The lighter groups must complete the rest (or the rest is within the slack already).
          if (windowFrom[(group + 1) * width + rest] === 0) continue;
          chosen[size] = group;
          chosen[size + 1] = units;
          size += 2;
          visit(group + 1, rest);
          size -= 2;
          if (tooMany) return;
        }
      }
    };
    visit(0, LIMIT);
    if (tooMany) return { packages: undefined, work };
    return { packages: new FullPackages(masses, items, start), work };
  }

  /** Packages still possible that hold group `group`. */
  possibleHolding(group: number): number {
    return this.possibleWith[group]!;
  }

  /**
   * Group `group` went from `before` to `after` units left: packages needing more than `after`
   * become impossible, those needing at most `after` possible again. Answers the steps taken.
   */
  countChanged(group: number, before: number, after: number): number {
    const from = this.holderStart[group]!;
    const to = this.holderStart[group + 1]!;
    for (let k = from; k < to; k++) {
      const needs = this.holderUnits[k]!;
      const was = before >= needs;
      const is = after >= needs;
      if (was === is) continue;
      const p = this.holderPackage[k]!;
      const shortBefore = this.short[p]!;
      this.short[p] = shortBefore + (was ? 1 : -1);
      if (was && shortBefore === 0) this.adjustHolders(p, -1);
      else if (!was && shortBefore === 1) this.adjustHolders(p, 1);
    }
    return to - from;
  }

  /**
   * The possible packages holding `group` that waste at most `slack`, as completions of one of its
   * units: the package less that unit (`[group, units, ...]` ascending) and what that weighs.
   */
  completionsOf(group: number, slack: number): { items: number[]; mass: number }[] {
    const completions: { items: number[]; mass: number }[] = [];
    for (let k = this.holderStart[group]!; k < this.holderStart[group + 1]!; k++) {
      const p = this.holderPackage[k]!;
      if (this.short[p] !== 0 || LIMIT - this.mass[p]! > slack) continue;
      const items: number[] = [];
      for (let i = this.start[p]!; i < this.start[p + 1]!; i += 2) {
        const units = this.items[i] === group ? this.items[i + 1]! - 1 : this.items[i + 1]!;
        if (units > 0) items.push(this.items[i]!, units);
      }
      completions.push({ items, mass: this.mass[p]! - this.masses[group]! });
    }
    return completions;
  }

  private adjustHolders(p: number, delta: number): void {
    for (let i = this.start[p]!; i < this.start[p + 1]!; i += 2) this.possibleWith[this.items[i]!]! += delta;
  }
}
