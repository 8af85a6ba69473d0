/**
 * Stress of exact packing up to 100 units (SPEC rule 2: always proven minimal): 300 seeded random
 * instances per mass distribution; prints the worst and mean time and how many were not proven.
 * Run: `npx tsx bench/packing-stress.ts [distribution]`.
 */
import { packUnits, type UnitsToPack } from '../functions/domain/packing.js';
import { isMain } from './lib.js';

const INSTANCES = 300;

/** Mixed-product instances: 1..100 units over 1..60 products of one mass distribution. */
const DISTRIBUTIONS = ['uniform', 'small', 'mid', 'triplets', 'near600', 'heavy', 'blood'] as const;
/** 100 units of 100 different masses drawn from [low, high): many near misses, rare packings at the bound. */
const DISTINCT = { 'distinct300-1000': [300, 1000], 'distinct400-800': [400, 800] } as const;
export type StressDistribution = (typeof DISTRIBUTIONS)[number] | keyof typeof DISTINCT;

export interface StressInstance {
  distribution: StressDistribution;
  index: number;
  units: UnitsToPack[];
}

/**
 * Every instance of the stress run, in its order, from one seeded stream: the same instances
 * whichever distribution a run prints (`stressInstance` finds one by name and index for tests).
 */
export function* stressInstances(): Generator<StressInstance> {
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const draws: Record<(typeof DISTRIBUTIONS)[number], () => number> = {
    uniform: () => 1 + Math.floor(rnd() * 1800),
    small: () => 1 + Math.floor(rnd() * 200),
    mid: () => 300 + Math.floor(rnd() * 400),
    triplets: () => 450 + Math.floor(rnd() * 200),
    near600: () => 590 + Math.floor(rnd() * 20),
    heavy: () => 700 + Math.floor(rnd() * 1100),
    blood: () => [700, 700, 750, 680, 350, 200, 120, 80, 40, 80, 300, 300, 300][Math.floor(rnd() * 13)]!,
  };
  for (const distribution of DISTRIBUTIONS) {
    for (let index = 0; index < INSTANCES; index++) {
      const units = 1 + Math.floor(rnd() * 100);
      const products = 1 + Math.floor(rnd() * Math.min(units, 60));
      const lines = Array.from({ length: products }, (_, p) => ({
        product_id: p,
        mass_g: draws[distribution](),
        quantity: 0,
      }));
      for (let u = 0; u < units; u++) lines[Math.floor(rnd() * products)]!.quantity++;
      yield { distribution, index, units: lines.filter((l) => l.quantity > 0) };
    }
  }
  for (const [distribution, [low, high]] of Object.entries(DISTINCT) as [StressDistribution, readonly number[]][]) {
    for (let index = 0; index < INSTANCES; index++) {
      const pool = Array.from({ length: high! - low! }, (_, k) => low! + k);
      for (let k = 0; k < 100; k++) {
        const j = k + Math.floor(rnd() * (pool.length - k));
        [pool[k], pool[j]] = [pool[j]!, pool[k]!];
      }
      yield {
        distribution,
        index,
        units: pool.slice(0, 100).map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 })),
      };
    }
  }
}

export function stressInstance(distribution: StressDistribution, index: number): UnitsToPack[] {
  for (const instance of stressInstances()) {
    if (instance.distribution === distribution && instance.index === index) return instance.units;
  }
  throw new RangeError(`no stress instance ${distribution} ${index}`);
}

function run(only: string | undefined): void {
  const stats = new Map<StressDistribution, { worst: number; total: number; unproven: number; aboveBound: number }>();
  for (const { distribution, units } of stressInstances()) {
    if (only && distribution !== only) continue;
    const t = performance.now();
    const r = packUnits(units);
    const ms = performance.now() - t;
    const s = stats.get(distribution) ?? { worst: 0, total: 0, unproven: 0, aboveBound: 0 };
    s.worst = Math.max(s.worst, ms);
    s.total += ms;
    if (!r.provenOptimal) s.unproven++;
    s.aboveBound += r.packageCount - r.lowerBound;
    stats.set(distribution, s);
  }
  for (const [distribution, s] of stats) {
    const distinct = distribution in DISTINCT ? `  packages above bound ${s.aboveBound}` : '';
    console.log(
      `${distribution.padEnd(9)} worst ${s.worst.toFixed(1)} ms  mean ${(s.total / INSTANCES).toFixed(2)} ms  unproven ${s.unproven}${distinct}`,
    );
  }
}

if (isMain(import.meta.url)) run(process.argv[2]);
