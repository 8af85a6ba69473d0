/**
 * First-fit-decreasing on mass groups: the first incumbent of `packGroups`, and the baseline that
 * `packUnits` never does worse than (SPEC rule 2).
 *
 * It must always answer, so it spends no budget; its work follows the number of groups and runs
 * of identical packages, never the number of units.
 */
import { PACKAGE_LIMIT_G, type MassGroups } from './mass-groups.js';
import type { MassPattern } from './patterns.js';

const LIMIT = PACKAGE_LIMIT_G;

/**
 * First-fit-decreasing on groups, exactly as unit by unit: identical units go to the first
 * package with room, so each run of identical packages takes as many as fit in each, splitting
 * the run where the units run out. Runs grow by at most three per group, not by units.
 */
export function firstFitDecreasingGroups({ masses, counts }: MassGroups): MassPattern[] {
  const runs: { counts: number[]; room: number; count: number }[] = [];
  // The first run with room for a unit is found in a tree of the runs' rooms, not by walking
  // every run for every group: 765 masses and 480 runs (1,000 units of random masses) took 9 ms so.
  const rooms = new RoomIndex();
  masses.forEach((mass, group) => {
    let left = counts[group]!;
    for (let r = rooms.firstAtLeast(0, mass); r >= 0 && left > 0; r = rooms.firstAtLeast(r + 1, mass)) {
      const run = runs[r]!;
      const each = Math.min(Math.floor(run.room / mass), left);
      const filled = Math.min(run.count, Math.floor(left / each));
      if (filled === run.count) {
        // The whole run takes the same units: changed in place (no copy of its counts).
        run.counts[group]! += each;
        run.room -= each * mass;
        rooms.set(r, run.room);
        left -= filled * each;
        continue;
      }
      const parts = [withUnits(masses, run.counts, run.room, group, each, filled)];
      left -= filled * each;
      let untouched = run.count - filled;
      if (untouched > 0 && left > 0) {
        parts.push(withUnits(masses, run.counts, run.room, group, left, 1));
        left = 0;
        untouched--;
      }
      if (untouched > 0) parts.push({ ...run, count: untouched });
      runs.splice(r, 1, ...parts);
      rooms.reset(runs.map((each) => each.room));
      r += parts.length - 1;
    }
    if (left === 0) return;
    const perPackage = Math.floor(LIMIT / mass);
    if (left >= perPackage) {
      runs.push(newRun(masses.length, group, perPackage, mass, Math.floor(left / perPackage)));
      rooms.push(runs[runs.length - 1]!.room);
    }
    if (left % perPackage > 0) {
      runs.push(newRun(masses.length, group, left % perPackage, mass, 1));
      rooms.push(runs[runs.length - 1]!.room);
    }
  });
  return runs.map(({ counts: packed, count }) => ({ counts: packed, count }));
}

function withUnits(
  masses: readonly number[],
  base: number[],
  room: number,
  group: number,
  units: number,
  count: number,
) {
  const next = [...base];
  next[group]! += units;
  return { counts: next, room: room - units * masses[group]!, count };
}

function newRun(groupCount: number, group: number, units: number, mass: number, count: number) {
  const packed = new Array<number>(groupCount).fill(0);
  packed[group] = units;
  return { counts: packed, room: LIMIT - units * mass, count };
}

/** The rooms of the runs in order, in a max tree: the first run from an index on with enough room. */
class RoomIndex {
  private size = 64;
  private length = 0;
  /** max[p]: the most room under node p (leaves at size..2 size - 1; -1 where no run is). */
  private max = new Int32Array(2 * this.size).fill(-1);

  push(room: number): void {
    if (this.length === this.size) this.grow();
    this.set(this.length++, room);
  }

  set(index: number, room: number): void {
    const { max } = this;
    let p = index + this.size;
    max[p] = room;
    for (p >>= 1; p >= 1; p >>= 1) max[p] = Math.max(max[2 * p]!, max[2 * p + 1]!);
  }

  reset(rooms: readonly number[]): void {
    while (this.size < rooms.length) this.size *= 2;
    this.max = new Int32Array(2 * this.size).fill(-1);
    this.length = rooms.length;
    rooms.forEach((room, i) => {
      this.max[this.size + i] = room;
    });
    for (let p = this.size - 1; p >= 1; p--) this.max[p] = Math.max(this.max[2 * p]!, this.max[2 * p + 1]!);
  }

  /** The first index from `from` on whose room is at least `need` (>= 1), or -1. */
  firstAtLeast(from: number, need: number): number {
    if (from >= this.length) return -1;
    const { max, size } = this;
    let p = from + size;
    if (max[p]! < need) {
      // Up while p is a right child, then over to the right: the next subtree after p.
      for (;;) {
        while (p & 1) {
          p >>= 1;
          if (p === 0) return -1;
        }
        p++;
        if (max[p]! >= need) break;
      }
      while (p < size) p = max[2 * p]! >= need ? 2 * p : 2 * p + 1;
    }
    return p - size;
  }

  private grow(): void {
    const rooms = Array.from(this.max.subarray(this.size, this.size + this.length));
    this.size *= 2;
    this.reset(rooms);
  }
}
