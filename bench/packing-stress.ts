/**
 * Stress of exact packing up to 100 units (SPEC rule 2: always proven minimal): 300 seeded random
 * instances per mass distribution; prints the worst and mean time and how many were not proven.
 * Run: `npx tsx bench/packing-stress.ts [distribution]`.
 */
import { packUnits } from '../functions/domain/packing.js';
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const dists: Record<string, () => number> = {
  uniform: () => 1 + Math.floor(rnd() * 1800),
  small: () => 1 + Math.floor(rnd() * 200),
  mid: () => 300 + Math.floor(rnd() * 400),
  triplets: () => 450 + Math.floor(rnd() * 200),
  near600: () => 590 + Math.floor(rnd() * 20),
  heavy: () => 700 + Math.floor(rnd() * 1100),
  blood: () => [700, 700, 750, 680, 350, 200, 120, 80, 40, 80, 300, 300, 300][Math.floor(rnd() * 13)]!,
};
const only = process.argv[2]; for (const [name, draw] of Object.entries(dists).filter(([k]) => !only || k === only)) {
  let worst = 0, unproven = 0, n = 0, total = 0;
  for (let i = 0; i < 300; i++) {
    const units = 1 + Math.floor(rnd() * 100);
    const products = 1 + Math.floor(rnd() * Math.min(units, 60));
    const lines = Array.from({ length: products }, (_, p) => ({ product_id: p, mass_g: draw(), quantity: 0 }));
    for (let u = 0; u < units; u++) lines[Math.floor(rnd() * products)]!.quantity++;
    const used = lines.filter((l) => l.quantity > 0);
    const t = performance.now();
    const r = packUnits(used);
    const ms = performance.now() - t;
    worst = Math.max(worst, ms); total += ms; n++;
    if (!r.provenOptimal) unproven++;
  }
  console.log(name.padEnd(9), 'worst', worst.toFixed(1), 'ms  mean', (total / n).toFixed(2), 'ms  unproven', unproven);
}
