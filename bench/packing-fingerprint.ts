/**
 * Fingerprint of the packing: for a few thousand seeded events of several kinds, a hash of
 * everything `packUnits` answers (patterns, packageCount, lowerBound, provenOptimal, usedFallback),
 * plus `firstFitDecreasing` and `lowerBoundL2`. A refactor that must not change behaviour must not
 * change a single line of the output: run it before and after and `diff` the files. Budgets are
 * counted in work units, not read from a clock, so the budget-limited events (over 100 units, and
 * the tight budgets below) also check that the budget accounting did not move.
 *
 * Run: `npx tsx bench/packing-fingerprint.ts --out /tmp/before.txt [--scale 1]` (4,160 events, about
 * 45 s of CPU at scale 1, most of it the 100-distinct-masses events; `--scale 0.1` for a quick
 * look). Prints the digest of the whole file last.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { firstFitDecreasing, lowerBoundL2, packUnits, type UnitsToPack } from '../functions/domain/packing.js';
import { drawEvent } from './packing.js';
import { argValue, seededRandom } from './lib.js';

interface Kind {
  name: string;
  events: number;
  draw: (rnd: () => number) => UnitsToPack[];
  timeBudgetMs?: number;
}

/** Up to `maxUnits` units of a few products, masses from `mass` (the stress bench's mixed events). */
const mixed =
  (maxUnits: number, mass: (rnd: () => number) => number) =>
  (rnd: () => number): UnitsToPack[] => {
    const units = 1 + Math.floor(rnd() * maxUnits);
    const products = 1 + Math.floor(rnd() * Math.min(units, 60));
    const lines = Array.from({ length: products }, (_, p) => ({ product_id: p, mass_g: mass(rnd), quantity: 0 }));
    for (let u = 0; u < units; u++) lines[Math.floor(rnd() * products)]!.quantity++;
    return lines.filter((line) => line.quantity > 0);
  };

/** `count` units of `count` different masses drawn from [low, high): rare packings at the bound. */
const distinct =
  (count: number, low: number, high: number) =>
  (rnd: () => number): UnitsToPack[] => {
    const pool = Array.from({ length: high - low }, (_, k) => low + k);
    for (let k = 0; k < count; k++) {
      const j = k + Math.floor(rnd() * (pool.length - k));
      [pool[k], pool[j]] = [pool[j]!, pool[k]!];
    }
    return pool.slice(0, count).map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 }));
  };

const between = (low: number, high: number) => (rnd: () => number) => low + Math.floor(rnd() * (high - low));

const kinds: Kind[] = [
  { name: 'classic-10', events: 1000, draw: (rnd) => drawEvent('classic', 10, rnd) },
  { name: 'classic-100', events: 500, draw: (rnd) => drawEvent('classic', 100, rnd) },
  { name: 'classic-1000', events: 200, draw: (rnd) => drawEvent('classic', 1000, rnd) },
  { name: 'random-10', events: 1000, draw: (rnd) => drawEvent('random', 10, rnd) },
  { name: 'random-100', events: 300, draw: (rnd) => drawEvent('random', 100, rnd) },
  { name: 'random-1000', events: 100, draw: (rnd) => drawEvent('random', 1000, rnd) },
  { name: 'random-1000-budget-0', events: 50, draw: (rnd) => drawEvent('random', 1000, rnd), timeBudgetMs: 0 },
  { name: 'random-1000-budget-0.3', events: 50, draw: (rnd) => drawEvent('random', 1000, rnd), timeBudgetMs: 0.3 },
  { name: 'random-300-budget-1', events: 100, draw: (rnd) => drawEvent('random', 300, rnd), timeBudgetMs: 1 },
  { name: 'distinct-100-300..1000', events: 40, draw: distinct(100, 300, 1000) },
  { name: 'distinct-100-400..800', events: 40, draw: distinct(100, 400, 800) },
  { name: 'distinct-200-300..1000-budget-5', events: 30, draw: distinct(200, 300, 1000), timeBudgetMs: 5 },
  { name: 'mixed-mid', events: 150, draw: mixed(100, between(300, 700)) },
  { name: 'mixed-triplets', events: 150, draw: mixed(100, between(450, 650)) },
  { name: 'mixed-near600', events: 150, draw: mixed(100, between(590, 610)) },
  { name: 'mixed-small', events: 150, draw: mixed(100, between(1, 201)) },
  { name: 'mixed-heavy', events: 150, draw: mixed(100, between(700, 1800)) },
];

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

const out = argValue('out');
const scale = Number(argValue('scale', '1'));
const lines: string[] = [];
for (const [k, kind] of kinds.entries()) {
  const rnd = seededRandom(1_000_003 * (k + 1));
  const events = Math.max(1, Math.round(kind.events * scale));
  const started = performance.now();
  let proven = 0;
  for (let e = 0; e < events; e++) {
    const units = kind.draw(rnd);
    const result = packUnits(units, kind.timeBudgetMs === undefined ? {} : { timeBudgetMs: kind.timeBudgetMs });
    if (result.provenOptimal) proven++;
    const answer = {
      patterns: result.patterns,
      packageCount: result.packageCount,
      lowerBound: result.lowerBound,
      provenOptimal: result.provenOptimal,
      usedFallback: result.usedFallback,
    };
    const baseline = { ffd: firstFitDecreasing(units), l2: lowerBoundL2(units) };
    lines.push(
      `${kind.name} ${e} ${hash(units)} packages=${result.packageCount} bound=${result.lowerBound} proven=${result.provenOptimal} fallback=${result.usedFallback} ${hash(answer)} ${hash(baseline)}`,
    );
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${kind.name.padEnd(32)} ${String(events).padStart(5)} events, ${proven} proven, ${seconds} s`);
}
const text = `${lines.join('\n')}\n`;
if (out) writeFileSync(out, text);
console.log(`${lines.length} events, digest ${hash(text)}`);
