/**
 * Hard packing families from the bin-packing literature, scaled to the 1800 g package (issue 15),
 * and a runner that reports, per family, the share proven minimal, the package gap to the bound
 * and to the known optimum, and p50/p99 time of `packUnits` with its default budget.
 *
 * - `triplets99`, `triplets60`: Falkenauer's triplets (1996) scaled from capacity 1000 to 1800:
 *   each triplet weighs exactly 1800 g (first unit 684..882 g, second 450..(1800 - first) / 2,
 *   third the rest), shuffled; the optimum is the number of triplets, every package exactly full.
 * - `distinct300-1000`, `distinct400-800`: 100 units of 100 distinct masses in that range.
 * - `scholl1`: Scholl, Klein and Jürgens set 1 style: 100 units, capacity 100/120/150 scaled to
 *   1800 (factor 18, 15 or 12), masses 1..100, 20..100 or 30..100 before scaling.
 * - `waescher`: Schwerin and Wäscher style: 100 units of 270..360 g (150..200 of 1000).
 * - `scholl3`: Scholl set 3 (hard) style with 100 units: 360..630 g (20,000..35,000 of 100,000).
 * - `random1000`: 1,000 units, each of a uniform mass 1..1800 g (beyond the always-proven limit).
 *
 * Run alone: `npx tsx bench/packing.ts --families all [--events 200] [--seed 1]`; with
 * `--why-unproven 3000` it reruns each unproven event with that budget (ms) and says whether the
 * bound or the packing fell short (`whyUnproven`).
 */
import { firstFitDecreasing, packUnits, PACKAGE_LIMIT_G, type UnitsToPack } from '../functions/domain/packing.js';
import { percentile, round, seededRandom } from './lib.js';

export const FAMILIES = [
  'triplets99',
  'triplets60',
  'distinct300-1000',
  'distinct400-800',
  'scholl1',
  'waescher',
  'scholl3',
  'random1000',
] as const;
export type Family = (typeof FAMILIES)[number];

export interface FamilyEvent {
  units: UnitsToPack[];
  /** The optimum where the construction knows it (triplets). */
  optimum?: number;
}

const between = (rnd: () => number, low: number, high: number) => low + Math.floor(rnd() * (high - low + 1));

function shuffled<T>(items: T[], rnd: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const eachUnitOwnProduct = (masses: number[]): UnitsToPack[] =>
  masses.map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 }));

/** Falkenauer's triplets, scaled to 1800 g: `triplets` packages, each exactly full. */
export function tripletsEvent(triplets: number, rnd: () => number): FamilyEvent {
  const masses: number[] = [];
  for (let t = 0; t < triplets; t++) {
    const first = between(rnd, 684, 882);
    const second = between(rnd, 450, Math.floor((PACKAGE_LIMIT_G - first) / 2));
    masses.push(first, second, PACKAGE_LIMIT_G - first - second);
  }
  return { units: eachUnitOwnProduct(shuffled(masses, rnd)), optimum: triplets };
}

/** `n` distinct masses drawn from low..high - 1, one unit each. */
export function distinctEvent(n: number, low: number, high: number, rnd: () => number): FamilyEvent {
  const pool = shuffled(
    Array.from({ length: high - low }, (_, k) => low + k),
    rnd,
  );
  return { units: eachUnitOwnProduct(pool.slice(0, n)) };
}

/** `n` units, each a uniform mass low..high (inclusive); repeated masses stay separate products. */
export function uniformEvent(n: number, low: number, high: number, rnd: () => number): FamilyEvent {
  return { units: eachUnitOwnProduct(Array.from({ length: n }, () => between(rnd, low, high))) };
}

export function drawFamilyEvent(family: Family, rnd: () => number): FamilyEvent {
  switch (family) {
    case 'triplets99':
      return tripletsEvent(33, rnd);
    case 'triplets60':
      return tripletsEvent(20, rnd);
    case 'distinct300-1000':
      return distinctEvent(100, 300, 1000, rnd);
    case 'distinct400-800':
      return distinctEvent(100, 400, 800, rnd);
    case 'scholl1': {
      const scale = [18, 15, 12][Math.floor(rnd() * 3)]!;
      const low = [1, 20, 30][Math.floor(rnd() * 3)]!;
      return uniformEvent(100, low * scale, 100 * scale, rnd);
    }
    case 'waescher':
      return uniformEvent(100, 270, 360, rnd);
    case 'scholl3':
      return uniformEvent(100, 360, 630, rnd);
    case 'random1000':
      return uniformEvent(1000, 1, PACKAGE_LIMIT_G, rnd);
  }
}

export interface FamilyResult {
  family: Family;
  events: number;
  provenOptimal: number;
  provenOptimalShare: number;
  /** Packages above the reported lower bound, summed over the events, and the worst event's gap. */
  gapToBound: { total: number; max: number };
  /** Packages above the known optimum (triplets), summed; null where the optimum is unknown. */
  gapToOptimum: number | null;
  /** Must be 0. */
  worseThanFfd: number;
  timeMs: { p50: number; p99: number; max: number; mean: number };
}

export function runFamily(family: Family, events: number, seed: number): FamilyResult {
  const rnd = seededRandom(seed * 1_000_003 + 17 * (FAMILIES.indexOf(family) + 1));
  const times: number[] = [];
  let proven = 0;
  let gapTotal = 0;
  let gapMax = 0;
  let optimumGap: number | null = null;
  let worse = 0;
  for (let e = 0; e < events; e++) {
    const { units, optimum } = drawFamilyEvent(family, rnd);
    const ffd = firstFitDecreasing(units).reduce((n, p) => n + p.count, 0);
    const started = performance.now();
    const result = packUnits(units);
    times.push(performance.now() - started);
    if (result.provenOptimal) proven++;
    const gap = result.packageCount - result.lowerBound;
    gapTotal += gap;
    gapMax = Math.max(gapMax, gap);
    if (optimum !== undefined) optimumGap = (optimumGap ?? 0) + result.packageCount - optimum;
    if (result.packageCount > ffd) worse++;
  }
  return {
    family,
    events,
    provenOptimal: proven,
    provenOptimalShare: round(proven / events, 4),
    gapToBound: { total: gapTotal, max: gapMax },
    gapToOptimum: optimumGap,
    worseThanFfd: worse,
    timeMs: {
      p50: round(percentile(times, 50), 2),
      p99: round(percentile(times, 99), 2),
      max: round(Math.max(...times), 2),
      mean: round(times.reduce((a, b) => a + b, 0) / events, 2),
    },
  };
}

/** Why events were not proven within the default budget: what a much larger one finds. */
export interface UnprovenBreakdown {
  family: Family;
  events: number;
  proven: number;
  /** Of the unproven: only the bound fell short of what `largerBudgetMs` proves, only the packing, or both. */
  boundShort: number;
  packingShort: number;
  both: number;
  /** Unproven events whose packing already met the bound the larger budget proved. */
  provenWithThatBound: number;
  stillUnproven: number;
  largerBudgetMs: number;
}

/**
 * Each event with the default budget and, where that does not prove it, again with
 * `largerBudgetMs`: whether the default budget's bound or its packing (or both) fell short.
 */
export function whyUnproven(family: Family, events: number, seed: number, largerBudgetMs: number): UnprovenBreakdown {
  const rnd = seededRandom(seed * 1_000_003 + 17 * (FAMILIES.indexOf(family) + 1));
  const r: UnprovenBreakdown = {
    family,
    events,
    proven: 0,
    boundShort: 0,
    packingShort: 0,
    both: 0,
    provenWithThatBound: 0,
    stillUnproven: 0,
    largerBudgetMs,
  };
  for (let e = 0; e < events; e++) {
    const { units } = drawFamilyEvent(family, rnd);
    const quick = packUnits(units);
    if (quick.provenOptimal) {
      r.proven++;
      continue;
    }
    const long = packUnits(units, { timeBudgetMs: largerBudgetMs });
    const boundShort = quick.lowerBound < long.lowerBound;
    const packingShort = quick.packageCount > long.packageCount;
    if (boundShort && packingShort) r.both++;
    else if (boundShort) r.boundShort++;
    else if (packingShort) r.packingShort++;
    if (quick.packageCount === long.lowerBound) r.provenWithThatBound++;
    if (!long.provenOptimal) r.stillUnproven++;
  }
  return r;
}

export function familyLine(r: FamilyResult): string {
  const optimum = r.gapToOptimum === null ? '' : `, above optimum ${r.gapToOptimum}`;
  return `family ${r.family.padEnd(16)} x ${r.events}: proven ${r.provenOptimal}/${r.events} (${(r.provenOptimalShare * 100).toFixed(1)} %), gap to bound ${r.gapToBound.total} (max ${r.gapToBound.max})${optimum}, worse than FFD ${r.worseThanFfd}; p50 ${r.timeMs.p50} ms p99 ${r.timeMs.p99} ms max ${r.timeMs.max} ms`;
}
