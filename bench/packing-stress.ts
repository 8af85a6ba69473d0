/**
 * Stress of exact packing up to 100 units (SPEC rule 2: always proven minimal): 300 seeded random
 * instances per mass distribution; prints the worst and mean time and how many were not proven.
 * Run: `npx tsx bench/packing-stress.ts [distribution]`.
 */
import { packUnits } from '../functions/domain/packing.js';
let seed = 42;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const dists: Record<string, () => number> = {
  uniform: () => 1 + Math.floor(rnd() * 1800),
  small: () => 1 + Math.floor(rnd() * 200),
  mid: () => 300 + Math.floor(rnd() * 400),
  triplets: () => 450 + Math.floor(rnd() * 200),
  near600: () => 590 + Math.floor(rnd() * 20),
  heavy: () => 700 + Math.floor(rnd() * 1100),
  blood: () => [700, 700, 750, 680, 350, 200, 120, 80, 40, 80, 300, 300, 300][Math.floor(rnd() * 13)]!,
};
/** 100 units of 100 different masses drawn from [low, high): many near misses, rare packings at the bound. */
const distinct: Record<string, [number, number]> = { 'distinct300-1000': [300, 1000], 'distinct400-800': [400, 800] };
const only = process.argv[2];
for (const [name, draw] of Object.entries(dists).filter(([k]) => !only || k === only)) {
  let worst = 0,
    unproven = 0,
    n = 0,
    total = 0;
  for (let i = 0; i < 300; i++) {
    const units = 1 + Math.floor(rnd() * 100);
    const products = 1 + Math.floor(rnd() * Math.min(units, 60));
    const lines = Array.from({ length: products }, (_, p) => ({ product_id: p, mass_g: draw(), quantity: 0 }));
    for (let u = 0; u < units; u++) lines[Math.floor(rnd() * products)]!.quantity++;
    const used = lines.filter((l) => l.quantity > 0);
    const t = performance.now();
    const r = packUnits(used);
    const ms = performance.now() - t;
    worst = Math.max(worst, ms);
    total += ms;
    n++;
    if (!r.provenOptimal) unproven++;
  }
  console.log(name.padEnd(9), 'worst', worst.toFixed(1), 'ms  mean', (total / n).toFixed(2), 'ms  unproven', unproven);
}
for (const [name, [low, high]] of Object.entries(distinct).filter(([k]) => !only || k === only)) {
  let worst = 0,
    unproven = 0,
    total = 0,
    aboveLp = 0;
  for (let i = 0; i < 300; i++) {
    const pool = Array.from({ length: high - low }, (_, k) => low + k);
    for (let k = 0; k < 100; k++) {
      const j = k + Math.floor(rnd() * (pool.length - k));
      [pool[k], pool[j]] = [pool[j]!, pool[k]!];
    }
    const used = pool.slice(0, 100).map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 }));
    const t = performance.now();
    const r = packUnits(used);
    const ms = performance.now() - t;
    worst = Math.max(worst, ms);
    total += ms;
    if (!r.provenOptimal) unproven++;
    aboveLp += r.packageCount - r.lowerBound;
  }
  console.log(
    name.padEnd(9),
    'worst',
    worst.toFixed(1),
    'ms  mean',
    (total / 300).toFixed(2),
    'ms  unproven',
    unproven,
    ' packages above bound',
    aboveLp,
  );
}
