/** Packing checks shared by the packing tests. */
import { PACKAGE_LIMIT_G } from '../../functions/domain/packing.js';

/** The true minimum number of packages by exhaustive search: each unit into an open package or a new one. */
export function bruteForceMinimum(masses: number[]): number {
  const sorted = [...masses].sort((a, b) => b - a);
  let best = sorted.length;
  const loads: number[] = [];
  const place = (i: number): void => {
    if (loads.length >= best) return;
    if (i === sorted.length) {
      best = loads.length;
      return;
    }
    const m = sorted[i]!;
    // Packages of equal load are interchangeable: try one of them.
    const tried = new Set<number>();
    for (let b = 0; b < loads.length; b++) {
      if (loads[b]! + m > PACKAGE_LIMIT_G || tried.has(loads[b]!)) continue;
      tried.add(loads[b]!);
      loads[b]! += m;
      place(i + 1);
      loads[b]! -= m;
    }
    loads.push(m);
    place(i + 1);
    loads.pop();
  };
  place(0);
  return best;
}
