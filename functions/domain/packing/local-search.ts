/**
 * Local search for a packing into a given number of packages: a heuristic that finds packings at
 * the bound where the exact search would wander, but can never prove that none exists (undefined
 * means not found, nothing more).
 *
 * Deterministic: its random picks come from a fixed-seed generator. Budget: unpacking the start
 * into units is paid for before it is done, each pass right after it; undefined once spent.
 */
import { PACKAGE_LIMIT_G, type MassGroups } from './mass-groups.js';
import { packageCount, type MassPattern } from './patterns.js';
import { SCAN_WORK, type WorkBudget } from './work-budget.js';
import { xorshift } from './xorshift.js';

const LIMIT = PACKAGE_LIMIT_G;

const POOL_CHOICE_WORK = 60;
const REFILL_QUERY_WORK = 80;
const PASS_WORK_PER_PACKAGE = 120;

/**
 * Local search for a packing into `packages` packages. It cannot prove that none exists (the exact
 * search does that) but finds one where the exact search would wander, typically when the bound
 * is right but only few packings meet it.
 *
 * Starts (`from`) with the lightest packages of `start` emptied into a pool of unpacked units. A pass
 * refills each package in turn with the best swap of up to two of its units for up to two pool
 * units that weigh more and still fit, so each refill leaves the pool lighter. A pass that changes
 * nothing empties one package (the lighter of two picked at random) to shake things up. Done when
 * the pool is empty. The random picks come from a fixed-seed generator: same input, same result.
 *
 * A run that can be taken up again: `run` goes on for more passes from where the last one stopped.
 * Started over from the same packing with the same seed, a longer run only repeated the shorter
 * run's passes before it got any further.
 */
export class LocalSearch {
  private readonly random = xorshift(0x9e3779b9);

  private constructor(
    private readonly masses: readonly number[],
    private readonly bins: number[][],
    private readonly pool: number[],
    private readonly loads: number[],
    private readonly budget: WorkBudget,
  ) {}

  /** Undefined when the budget cannot pay for unpacking `start`. */
  static from(
    groups: MassGroups,
    start: readonly MassPattern[],
    packages: number,
    budget: WorkBudget,
  ): LocalSearch | undefined {
    const { masses } = groups;
    // Unpacking the patterns into units reads every pattern's counts: paid for before it is done.
    if (!budget.spend(start.length * masses.length * SCAN_WORK + packageCount(start) * PASS_WORK_PER_PACKAGE)) {
      return undefined;
    }
    const bins: number[][] = [];
    for (const pattern of start) {
      const units = unitsOf(pattern.counts);
      for (let i = 0; i < pattern.count; i++) bins.push(i === 0 ? units : [...units]);
    }
    bins.sort((a, b) => loadOf(masses, b) - loadOf(masses, a));
    const pool = bins.splice(packages).flat();
    while (bins.length < packages) bins.push([]);
    const loads = bins.map((bin) => loadOf(masses, bin));
    return new LocalSearch(masses, bins, pool, loads, budget);
  }

  /** Up to `maxPasses` more passes: the packing once the pool is empty, else undefined. */
  run(maxPasses: number): MassPattern[] | undefined {
    const { masses, bins, pool, loads } = this;
    for (let pass = 0; pass < maxPasses && pool.length > 0; pass++) {
      const choices = new PoolChoices(masses, pool);
      let changed = false;
      for (let b = 0; b < bins.length && pool.length > 0; b++) {
        const swap = bestRefill(masses, bins[b]!, loads[b]!, choices);
        if (!swap) continue;
        const taken = swap.fromBin.map((i) => bins[b]![i]!);
        const given = swap.fromPool.map((i) => pool[i]!);
        bins[b] = bins[b]!.filter((_, i) => !swap.fromBin.includes(i)).concat(given);
        const rest = pool.filter((_, i) => !swap.fromPool.includes(i));
        pool.splice(0, pool.length, ...rest, ...taken);
        loads[b]! += swap.gain;
        choices.rebuild(pool);
        changed = true;
      }
      if (!this.budget.spend(choices.work + bins.length * PASS_WORK_PER_PACKAGE)) return undefined;
      if (!changed && pool.length > 0) {
        const one = Math.floor(this.random() * bins.length);
        const other = Math.floor(this.random() * bins.length);
        const emptied = loads[other]! < loads[one]! ? other : one;
        pool.push(...bins[emptied]!);
        bins[emptied] = [];
        loads[emptied] = 0;
      }
    }
    if (pool.length > 0) return undefined;
    return bins.filter((bin) => bin.length > 0).map((bin) => ({ counts: countsOf(masses.length, bin), count: 1 }));
  }
}

/** One unit per entry, as its group index. */
function unitsOf(counts: readonly number[]): number[] {
  const units: number[] = [];
  for (let group = 0; group < counts.length; group++) {
    for (let i = counts[group]!; i > 0; i--) units.push(group);
  }
  return units;
}

function countsOf(groupCount: number, units: readonly number[]): number[] {
  const counts = new Array<number>(groupCount).fill(0);
  for (const group of units) counts[group]!++;
  return counts;
}

function loadOf(masses: readonly number[], units: readonly number[]): number {
  return units.reduce((sum, group) => sum + masses[group]!, 0);
}

interface Refill {
  fromBin: number[];
  fromPool: number[];
  gain: number;
}

/** The heaviest refill of one package: give up to two units, take up to two heavier from the pool. */
function bestRefill(
  masses: readonly number[],
  bin: readonly number[],
  load: number,
  choices: PoolChoices,
): Refill | undefined {
  const room = LIMIT - load;
  let best = betterRefill(undefined, choices, room, 0, -1, -1);
  for (let i = 0; i < bin.length; i++) {
    const one = masses[bin[i]!]!;
    best = betterRefill(best, choices, room, one, i, -1);
    for (let j = i + 1; j < bin.length; j++) best = betterRefill(best, choices, room, one + masses[bin[j]!]!, i, j);
  }
  return best;
}

/**
 * `best`, or the refill that gives the package's units `i` and `j` (-1: none) weighing `given` for
 * the heaviest pool choice that fits, if that gains more. A module function rather than a closure
 * in `bestRefill`: the bundles keep function names (infra/bundling.ts), and naming a closure
 * created at every call was half of the local search's time.
 */
function betterRefill(
  best: Refill | undefined,
  choices: PoolChoices,
  room: number,
  given: number,
  i: number,
  j: number,
): Refill | undefined {
  const choice = choices.heaviestUpTo(room + given);
  if (!choice || choice.mass - given <= (best?.gain ?? 0)) return best;
  return { fromBin: i < 0 ? [] : j < 0 ? [i] : [i, j], fromPool: choice.units, gain: choice.mass - given };
}

/** Every single pool unit and every pair, sorted by mass, to find the heaviest that fits a room. */
class PoolChoices {
  private choices: { mass: number; units: number[] }[] = [];
  work = 0;

  constructor(
    private readonly masses: readonly number[],
    pool: readonly number[],
  ) {
    this.rebuild(pool);
  }

  rebuild(pool: readonly number[]): void {
    const choices: { mass: number; units: number[] }[] = [];
    for (let i = 0; i < pool.length; i++) {
      const mass = this.masses[pool[i]!]!;
      choices.push({ mass, units: [i] });
      for (let j = i + 1; j < pool.length; j++) choices.push({ mass: mass + this.masses[pool[j]!]!, units: [i, j] });
    }
    this.choices = choices.sort((a, b) => a.mass - b.mass);
    this.work += choices.length * POOL_CHOICE_WORK;
  }

  heaviestUpTo(room: number): { mass: number; units: number[] } | undefined {
    let low = 0;
    let high = this.choices.length - 1;
    let found: { mass: number; units: number[] } | undefined;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const choice = this.choices[middle]!;
      if (choice.mass <= room) {
        found = choice;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    this.work += REFILL_QUERY_WORK;
    return found;
  }
}
