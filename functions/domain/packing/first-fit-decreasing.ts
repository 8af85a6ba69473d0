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
  const withUnits = (base: number[], room: number, group: number, units: number, count: number) => {
    const next = [...base];
    next[group]! += units;
    return { counts: next, room: room - units * masses[group]!, count };
  };
  masses.forEach((mass, group) => {
    let left = counts[group]!;
    for (let r = 0; r < runs.length && left > 0; r++) {
      const run = runs[r]!;
      const each = Math.min(Math.floor(run.room / mass), left);
      if (each === 0) continue;
      const filled = Math.min(run.count, Math.floor(left / each));
      if (filled === run.count) {
        // The whole run takes the same units: changed in place (no copy of its counts).
        run.counts[group]! += each;
        run.room -= each * mass;
        left -= filled * each;
        continue;
      }
      const parts = [withUnits(run.counts, run.room, group, each, filled)];
      left -= filled * each;
      let untouched = run.count - filled;
      if (untouched > 0 && left > 0) {
        parts.push(withUnits(run.counts, run.room, group, left, 1));
        left = 0;
        untouched--;
      }
      if (untouched > 0) parts.push({ ...run, count: untouched });
      runs.splice(r, 1, ...parts);
      r += parts.length - 1;
    }
    if (left === 0) return;
    const perPackage = Math.floor(LIMIT / mass);
    const newRun = (units: number, count: number) => {
      const packed = new Array<number>(masses.length).fill(0);
      packed[group] = units;
      runs.push({ counts: packed, room: LIMIT - units * mass, count });
    };
    if (left >= perPackage) newRun(perPackage, Math.floor(left / perPackage));
    if (left % perPackage > 0) newRun(left % perPackage, 1);
  });
  return runs.map(({ counts: packed, count }) => ({ counts: packed, count }));
}
