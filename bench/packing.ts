/**
 * Packing benchmark (issue 5, item 2): seeded random shipping events, packed four ways.
 *
 * - next-fit per unit: what the original Django service did. Units one by one in request order
 *   (each line's units in turn); a new box opens when the next unit does not fit the open one.
 * - first-fit-decreasing (`firstFitDecreasing`), the baseline `packUnits` never does worse than.
 * - ours (`packUnits` with its default budget: always proven up to 100 units, 5 ms beyond).
 * - the lower bound `packUnits` reports (at least Martello–Toth L2).
 *
 * Two sources of events: the classic blood-products catalog (13 products; an event names 1..13
 * of them in random order and spreads its units over them at random), and random masses (each
 * unit its own product of a uniform mass 1..1800 g).
 *
 * Run alone: `npx tsx bench/packing.ts [--events 10000] [--sizes 10,100,1000] [--seed 1]`.
 * With `--families all` (or a comma-separated list, see packing-families.ts) it runs the hard
 * literature families instead, `--events` of each (default 200); add `--why-unproven <ms>` to rerun
 * each event not proven with that budget and count whether the bound or the packing fell short.
 */
import { readFileSync } from 'node:fs';
import { firstFitDecreasing, packUnits, PACKAGE_LIMIT_G, type UnitsToPack } from '../functions/domain/packing.js';
import { argValue, isMain, percentile, round, seededRandom } from './lib.js';
import { FAMILIES, type Family, familyLine, runFamily, whyUnproven } from './packing-families.js';

export type Source = 'classic' | 'random';

export interface PackingSetting {
  source: Source;
  units: number;
  events: number;
  packages: { nextFitPerUnit: number; ffd: number; ours: number; lowerBound: number };
  /** Mean packages per event, same keys. */
  perEvent: { nextFitPerUnit: number; ffd: number; ours: number; lowerBound: number };
  provenOptimal: number;
  provenOptimalShare: number;
  /** Events where ours equals the lower bound. */
  atLowerBound: number;
  /** Must be 0: proven optimal but above the reported lower bound. */
  provenAboveBound: number;
  /** Must be 0: ours above FFD. */
  worseThanFfd: number;
  /** Events where ours beat FFD. */
  betterThanFfd: number;
  fallbacks: number;
  /** Time of `packUnits` per event. */
  timeMs: { p50: number; p99: number; max: number; mean: number };
}

const classicMasses: number[] = JSON.parse(
  readFileSync(new URL('../functions/data/classic-exercise.json', import.meta.url), 'utf8'),
).product_info.map((p: { mass_g: number }) => p.mass_g);

/** One shipping event: lines in request order. */
export function drawEvent(source: Source, units: number, rnd: () => number): UnitsToPack[] {
  if (source === 'random') {
    return Array.from({ length: units }, (_, i) => ({
      product_id: i,
      mass_g: 1 + Math.floor(rnd() * PACKAGE_LIMIT_G),
      quantity: 1,
    }));
  }
  // A random subset of the catalog, in random order, each line at least one unit.
  const ids = classicMasses.map((_, i) => i);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const k = 1 + Math.floor(rnd() * Math.min(units, ids.length));
  const lines = ids.slice(0, k).map((id) => ({ product_id: id, mass_g: classicMasses[id]!, quantity: 1 }));
  for (let u = k; u < units; u++) lines[Math.floor(rnd() * k)]!.quantity++;
  return lines;
}

/** The original service: unit by unit in request order, one open box at a time. */
export function nextFitPerUnit(lines: readonly UnitsToPack[]): number {
  let boxes = 0;
  let load = PACKAGE_LIMIT_G + 1; // no box open yet
  for (const line of lines) {
    for (let u = 0; u < line.quantity; u++) {
      if (load + line.mass_g > PACKAGE_LIMIT_G) {
        boxes++;
        load = 0;
      }
      load += line.mass_g;
    }
  }
  return boxes;
}

export function runPackingSetting(source: Source, units: number, events: number, seed: number): PackingSetting {
  const rnd = seededRandom(seed * 1_000_003 + units * 7 + (source === 'classic' ? 1 : 2));
  const totals = { nextFitPerUnit: 0, ffd: 0, ours: 0, lowerBound: 0 };
  const times: number[] = [];
  let proven = 0,
    atBound = 0,
    provenAbove = 0,
    worse = 0,
    better = 0,
    fallbacks = 0;
  for (let e = 0; e < events; e++) {
    const lines = drawEvent(source, units, rnd);
    const nf = nextFitPerUnit(lines);
    const ffd = firstFitDecreasing(lines).reduce((n, p) => n + p.count, 0);
    const started = performance.now();
    const ours = packUnits(lines);
    times.push(performance.now() - started);
    totals.nextFitPerUnit += nf;
    totals.ffd += ffd;
    totals.ours += ours.packageCount;
    totals.lowerBound += ours.lowerBound;
    if (ours.provenOptimal) proven++;
    if (ours.packageCount === ours.lowerBound) atBound++;
    if (ours.provenOptimal && ours.packageCount !== ours.lowerBound) provenAbove++;
    if (ours.packageCount > ffd) worse++;
    if (ours.packageCount < ffd) better++;
    if (ours.usedFallback) fallbacks++;
  }
  const per = (x: number) => round(x / events, 3);
  return {
    source,
    units,
    events,
    packages: totals,
    perEvent: {
      nextFitPerUnit: per(totals.nextFitPerUnit),
      ffd: per(totals.ffd),
      ours: per(totals.ours),
      lowerBound: per(totals.lowerBound),
    },
    provenOptimal: proven,
    provenOptimalShare: round(proven / events, 4),
    atLowerBound: atBound,
    provenAboveBound: provenAbove,
    worseThanFfd: worse,
    betterThanFfd: better,
    fallbacks,
    timeMs: {
      p50: round(percentile(times, 50), 3),
      p99: round(percentile(times, 99), 3),
      max: round(Math.max(...times), 3),
      mean: round(times.reduce((a, b) => a + b, 0) / events, 3),
    },
  };
}

export function runPackingBench(options: {
  events: number;
  sizes: number[];
  seed: number;
  log?: (line: string) => void;
}): PackingSetting[] {
  const out: PackingSetting[] = [];
  for (const source of ['classic', 'random'] as const) {
    for (const units of options.sizes) {
      const started = performance.now();
      const r = runPackingSetting(source, units, options.events, options.seed);
      options.log?.(
        `packing ${source.padEnd(7)} ${String(units).padStart(4)} units x ${r.events}: next-fit ${r.packages.nextFitPerUnit}, FFD ${r.packages.ffd}, ours ${r.packages.ours}, bound ${r.packages.lowerBound}; proven ${(r.provenOptimalShare * 100).toFixed(2)} %; p50 ${r.timeMs.p50} ms p99 ${r.timeMs.p99} ms (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
      out.push(r);
    }
  }
  return out;
}

function runFamilies(list: string): void {
  const families = (list === 'all' ? [...FAMILIES] : list.split(',')) as Family[];
  const unknown = families.filter((f) => !FAMILIES.includes(f));
  if (unknown.length > 0) throw new Error(`unknown families ${unknown.join(', ')}; known: ${FAMILIES.join(', ')}`);
  const events = Number(argValue('events', '200'));
  const seed = Number(argValue('seed', '1'));
  const largerBudget = argValue('why-unproven');
  if (largerBudget) {
    for (const family of families) console.log(JSON.stringify(whyUnproven(family, events, seed, Number(largerBudget))));
    return;
  }
  const results = families.map((family) => {
    const result = runFamily(family, events, seed);
    console.log(familyLine(result));
    return result;
  });
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
}

const familiesArg = argValue('families');
if (isMain(import.meta.url) && familiesArg) runFamilies(familiesArg);
else if (isMain(import.meta.url)) {
  const events = Number(argValue('events', '10000'));
  const sizes = (argValue('sizes', '10,100,1000') ?? '').split(',').map(Number);
  const seed = Number(argValue('seed', '1'));
  const results = runPackingBench({ events, sizes, seed, log: console.log });
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
}
