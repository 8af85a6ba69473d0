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
  /** Per package: `[group, units, group, units, ...]`, groups ascending. */
  private readonly items: Int32Array[];
  private readonly mass: Int32Array;
  /** Per package: how many of its groups have fewer units left than it holds (possible when 0). */
  private readonly short: Int32Array;
  /** Per group: the packages holding it and how many units of it each holds. */
  private readonly holders: { packages: Int32Array; units: Int32Array }[];
  private readonly possibleWith: Int32Array;

  private constructor(
    private readonly masses: readonly number[],
    packages: number[][],
  ) {
    const groups = masses.length;
    this.items = packages.map((items) => Int32Array.from(items));
    this.mass = Int32Array.from(packages, (items) => {
      let mass = 0;
      for (let i = 0; i < items.length; i += 2) mass += masses[items[i]!]! * items[i + 1]!;
      return mass;
    });
    this.short = new Int32Array(packages.length);
    this.possibleWith = new Int32Array(groups);
    const holding: { packages: number[]; units: number[] }[] = Array.from({ length: groups }, () => ({
      packages: [],
      units: [],
    }));
    packages.forEach((items, p) => {
      for (let i = 0; i < items.length; i += 2) {
        holding[items[i]!]!.packages.push(p);
        holding[items[i]!]!.units.push(items[i + 1]!);
      }
    });
    this.holders = holding.map(({ packages, units }) => ({
      packages: Int32Array.from(packages),
      units: Int32Array.from(units),
    }));
    // Listed from the counts they fit, so every package starts possible.
    packages.forEach((items) => {
      for (let i = 0; i < items.length; i += 2) this.possibleWith[items[i]!]!++;
    });
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
    const packages: number[][] = [];
    const chosen: number[] = [];
    let tooMany = false;
    // Depth-first over groups, each from as many units as fit down to none, pruned by the table.
    const visit = (g: number, left: number): void => {
      if (tooMany) return;
      work += LIST_STEP_WORK;
      if (work > maxWork || packages.length > maxPackages) {
        tooMany = true;
        return;
      }
      if (left <= slack && left < LIMIT) packages.push([...chosen]);
      for (let group = g; group < groups; group++) {
        if (windowFrom[group * width + left] === 0) return;
        const mass = masses[group]!;
        const most = Math.min(counts[group]!, Math.floor(left / mass));
        for (let units = most; units >= 1; units--) {
          const rest = left - units * mass;
          // The lighter groups must complete the rest (or the rest is within the slack already).
          if (windowFrom[(group + 1) * width + rest] === 0) continue;
          chosen.push(group, units);
          visit(group + 1, rest);
          chosen.length -= 2;
          if (tooMany) return;
        }
      }
    };
    visit(0, LIMIT);
    if (tooMany) return { packages: undefined, work };
    return { packages: new FullPackages(masses, packages), work };
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
    const { packages, units } = this.holders[group]!;
    for (let k = 0; k < packages.length; k++) {
      const needs = units[k]!;
      const was = before >= needs;
      const is = after >= needs;
      if (was === is) continue;
      const p = packages[k]!;
      const shortBefore = this.short[p]!;
      this.short[p] = shortBefore + (was ? 1 : -1);
      if (was && shortBefore === 0) this.adjustHolders(p, -1);
      else if (!was && shortBefore === 1) this.adjustHolders(p, 1);
    }
    return packages.length;
  }

  /**
   * The possible packages holding `group` that waste at most `slack`, as completions of one of its
   * units: the package less that unit (`[group, units, ...]` ascending) and what that weighs.
   */
  completionsOf(group: number, slack: number): { items: number[]; mass: number }[] {
    const { packages } = this.holders[group]!;
    const completions: { items: number[]; mass: number }[] = [];
    for (let k = 0; k < packages.length; k++) {
      const p = packages[k]!;
      if (this.short[p] !== 0 || LIMIT - this.mass[p]! > slack) continue;
      const items: number[] = [];
      const packageItems = this.items[p]!;
      for (let i = 0; i < packageItems.length; i += 2) {
        const units = packageItems[i] === group ? packageItems[i + 1]! - 1 : packageItems[i + 1]!;
        if (units > 0) items.push(packageItems[i]!, units);
      }
      completions.push({ items, mass: this.mass[p]! - this.masses[group]! });
    }
    return completions;
  }

  private adjustHolders(p: number, delta: number): void {
    const items = this.items[p]!;
    for (let i = 0; i < items.length; i += 2) this.possibleWith[items[i]!]! += delta;
  }
}
