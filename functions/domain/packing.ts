/**
 * Units into the fewest packages of at most 1800 g (SPEC rules 1 and 2), pure and dependency-free.
 *
 * Units are first reduced to mass groups (which product a unit belongs to does not change how it
 * packs), packed and proven minimal as groups (packing/, one module per algorithm; pack-groups.ts
 * says which runs when), and only then handed out to products. Work and output follow the number
 * of distinct masses and package patterns, never the number of units: a million units of one
 * product are one group and one or two patterns.
 *
 * Determinism: the groups are sorted (masses descending, products by id), every step is fixed in
 * its order and its tie-breaks, and the budget is counted in work units instead of being read from
 * a clock. The same units, in any order, always give the same packages.
 */
import { lowerBoundL2Groups } from './packing/lower-bound.js';
import { PACKAGE_LIMIT_G, type MassGroups } from './packing/mass-groups.js';
import type { WorkBudget } from './packing/work-budget.js';
import { firstFitDecreasingGroups } from './packing/first-fit-decreasing.js';
import { packGroups } from './packing/pack-groups.js';
import { canonicalPatterns, packageCount as countPackages, type MassPattern } from './packing/patterns.js';

export { PACKAGE_LIMIT_G } from './packing/mass-groups.js';

/** `mass_g` integer 1..1800, `quantity` integer >= 1; entries naming the same product are merged. */
export interface UnitsToPack {
  product_id: number;
  mass_g: number;
  quantity: number;
}

export interface PackageLine {
  product_id: number;
  quantity: number;
}

/** `count` identical packages with these lines (grouped so 10,000 identical one-unit packages stay one object). */
export interface PackagePattern {
  /** Sorted by product_id. */
  lines: PackageLine[];
  mass_g: number;
  count: number;
}

export interface PackingResult {
  /** Heaviest first; sum of `count` is `packageCount`. */
  patterns: PackagePattern[];
  packageCount: number;
  /** Best lower bound found (at least Martello–Toth L2); equals `packageCount` when proven. */
  lowerBound: number;
  /** `packageCount` is the minimum possible. */
  provenOptimal: boolean;
  /** The budget ran out before minimality was proven: the best packing found, never worse than FFD. */
  usedFallback: boolean;
}

/** Up to this many units, minimality is proven (SPEC rule 2), with only a safety cap on the work. */
export const ALWAYS_PROVEN_UP_TO_UNITS = 100;
const DEFAULT_TIME_BUDGET_MS = 5;
/**
 * Safety cap for up to 100 units. Measured: 10,000 seeded random events of 100 units of uniform
 * masses (`npm run bench`) and 2,100 instances of seven mass distributions (`npx tsx
 * bench/packing-stress.ts`) were all proven, all but a few within a second (the slowest in
 * 2.6 s): the LP bound (with dual-optimal inequalities) settles the events where L2 is one short,
 * and a dive guided by the LP optimum finds the rare packings at the bound the searches miss.
 * Harder inputs exist (100 different masses all between 300 and 1000 g, or 400 and 800 g: 1 of the
 * stress bench's 600 such instances stays unproven, its packing at the bound too rare for the
 * dives and searches to find, where an arc-flow MIP solver needed 570 branch-and-bound nodes; 2 of
 * the hard families' 8,400 events of seeds 1 to 24, one of them with its optimum above the LP
 * bound), and bin packing is NP-hard, so such an input ends as a counted fallback (never worse
 * than FFD, and packed close to its bound) instead of a Lambda timeout that would fail the whole
 * request.
 */
const PROVEN_SAFETY_CAP_MS = 5_000;
/**
 * Budget work units per millisecond. A unit is about 2 ns of work on x86-64 Node 20 (each part
 * charges what it does in these units, see packing/work-budget.ts), so 5 ms of budget take about
 * 3 ms there, which leaves room for a slower Lambda CPU to still finish near the requested time.
 */
const WORK_UNITS_PER_MS = 300_000;

/**
 * Packs the units into the fewest packages it can prove minimal: always for up to 100 units,
 * otherwise when the proof fits in `timeBudgetMs` (default 5 ms); else the best packing found.
 * Throws RangeError for a mass outside 1..1800, a quantity below 1, a non-integer, or one product
 * given two masses.
 */
export function packUnits(units: UnitsToPack[], options: { timeBudgetMs?: number } = {}): PackingResult {
  const catalog = catalogOf(units);
  const budget = new WorkMeter(
    budgetUnits(catalog.totalUnits <= ALWAYS_PROVEN_UP_TO_UNITS ? PROVEN_SAFETY_CAP_MS : options.timeBudgetMs),
  );
  const packing = packGroups(catalog.groups, budget);
  const patterns = withProducts(catalog, packing.patterns);
  const packageCount = patterns.reduce((sum, pattern) => sum + pattern.count, 0);
  return {
    patterns,
    packageCount,
    lowerBound: packing.lowerBound,
    provenOptimal: packing.proven,
    usedFallback: !packing.proven,
  };
}

/** The baseline: first-fit-decreasing, also the packing `packUnits` never does worse than. */
export function firstFitDecreasing(units: UnitsToPack[]): PackagePattern[] {
  const catalog = catalogOf(units);
  const patterns = canonicalPatterns(catalog.groups.masses, firstFitDecreasingGroups(catalog.groups));
  return withProducts(catalog, patterns);
}

/** Martello–Toth L2 lower bound on the number of packages (never below ceil(total mass / 1800)). */
export function lowerBoundL2(units: UnitsToPack[]): number {
  const { groups } = catalogOf(units);
  return lowerBoundL2Groups(groups.masses, groups.counts);
}

function budgetUnits(timeBudgetMs: number | undefined): number {
  const ms = timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  if (!(ms >= 0)) throw new RangeError(`timeBudgetMs must be a number >= 0, got ${ms}`);
  return ms * WORK_UNITS_PER_MS;
}

class WorkMeter implements WorkBudget {
  private spent = 0;
  constructor(private readonly allowance: number) {}
  spend(units: number): boolean {
    this.spent += units;
    return this.spent <= this.allowance;
  }
}

interface ProductUnits {
  readonly productId: number;
  readonly quantity: number;
}

/** The units as mass groups, with the products behind each group (by product_id). */
interface Catalog {
  readonly groups: MassGroups;
  readonly productsByGroup: readonly (readonly ProductUnits[])[];
  readonly massOf: ReadonlyMap<number, number>;
  readonly totalUnits: number;
}

function catalogOf(units: readonly UnitsToPack[]): Catalog {
  const quantities = new Map<number, number>();
  const massOf = new Map<number, number>();
  for (const { product_id: productId, mass_g: mass, quantity } of units) {
    checkUnits(productId, mass, quantity);
    const known = massOf.get(productId);
    if (known !== undefined && known !== mass) {
      throw new RangeError(`product ${productId} is given two masses, ${known} g and ${mass} g`);
    }
    massOf.set(productId, mass);
    quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
  }
  const byMass = new Map<number, ProductUnits[]>();
  for (const [productId, quantity] of [...quantities].sort(([a], [b]) => a - b)) {
    const mass = massOf.get(productId)!;
    byMass.set(mass, [...(byMass.get(mass) ?? []), { productId, quantity }]);
  }
  const masses = [...byMass.keys()].sort((a, b) => b - a);
  const productsByGroup = masses.map((mass) => byMass.get(mass)!);
  const counts = productsByGroup.map((products) => products.reduce((sum, p) => sum + p.quantity, 0));
  const totalUnits = counts.reduce((sum, count) => sum + count, 0);
  return { groups: { masses, counts }, productsByGroup, massOf, totalUnits };
}

function checkUnits(productId: number, mass: number, quantity: number): void {
  if (!Number.isSafeInteger(productId)) throw new RangeError(`product_id must be an integer, got ${productId}`);
  if (!Number.isInteger(mass) || mass < 1 || mass > PACKAGE_LIMIT_G) {
    throw new RangeError(`product ${productId}: mass_g must be an integer 1..${PACKAGE_LIMIT_G}, got ${mass}`);
  }
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    throw new RangeError(`product ${productId}: quantity must be an integer >= 1, got ${quantity}`);
  }
}

/**
 * Hands out each group's units to its products, lowest product_id first, in pattern order (so the
 * heaviest packages get the lowest ids). A pattern splits only where a product runs out, which
 * keeps the output proportional to patterns plus products.
 */
function withProducts(catalog: Catalog, patterns: readonly MassPattern[]): PackagePattern[] {
  const queues = catalog.productsByGroup.map((products) => new ProductQueue(products));
  const packages: PartialPackages[] = [];
  for (const pattern of patterns) {
    let split: PartialPackages[] = [{ lines: [], count: pattern.count }];
    for (let group = 0; group < pattern.counts.length; group++) {
      const units = pattern.counts[group]!;
      if (units > 0) split = split.flatMap((partial) => queues[group]!.fill(partial, units));
    }
    packages.push(...split);
  }
  if (queues.some((queue) => !queue.isEmpty()) || countPackages(patterns) !== countPackagesOf(packages)) {
    throw new Error('packing lost units: the packing does not cover the groups it was given');
  }
  return mergedInOrder(packages, catalog.massOf);
}

interface PartialPackages {
  readonly lines: PackageLine[];
  readonly count: number;
}

function countPackagesOf(packages: readonly PartialPackages[]): number {
  return packages.reduce((sum, p) => sum + p.count, 0);
}

/** The products of one mass group, handed out in product_id order. */
class ProductQueue {
  private index = 0;
  private left: number;

  constructor(private readonly products: readonly ProductUnits[]) {
    this.left = products[0]?.quantity ?? 0;
  }

  isEmpty(): boolean {
    return this.index >= this.products.length;
  }

  /** Adds `units` of this group to each of the `count` packages, splitting where a product runs out. */
  fill(partial: PartialPackages, units: number): PartialPackages[] {
    const result: PartialPackages[] = [];
    let packagesLeft = partial.count;
    while (packagesLeft > 0) {
      if (this.left >= units) {
        const whole = Math.min(packagesLeft, Math.floor(this.left / units));
        result.push({ lines: [...partial.lines, { product_id: this.productId(), quantity: units }], count: whole });
        this.take(whole * units);
        packagesLeft -= whole;
      } else {
        const lines = [...partial.lines];
        for (let needed = units; needed > 0; ) {
          const quantity = Math.min(needed, this.left);
          lines.push({ product_id: this.productId(), quantity });
          this.take(quantity);
          needed -= quantity;
        }
        result.push({ lines, count: 1 });
        packagesLeft--;
      }
    }
    return result;
  }

  private productId(): number {
    const product = this.products[this.index];
    if (!product) throw new Error('packing lost units: a pattern asks for more units than the group has');
    return product.productId;
  }

  private take(quantity: number): void {
    this.left -= quantity;
    if (this.left === 0) {
      this.index++;
      this.left = this.products[this.index]?.quantity ?? 0;
    }
  }
}

/** Identical packages merged; heaviest first, then by lines, so the order is one fixed order. */
function mergedInOrder(packages: readonly PartialPackages[], massOf: ReadonlyMap<number, number>): PackagePattern[] {
  const merged = new Map<string, PackagePattern>();
  for (const { lines, count } of packages) {
    const sorted = [...lines].sort((a, b) => a.product_id - b.product_id);
    const key = sorted.map((line) => `${line.product_id}:${line.quantity}`).join(',');
    const seen = merged.get(key);
    if (seen) {
      seen.count += count;
      continue;
    }
    const mass = sorted.reduce((sum, line) => sum + line.quantity * massOf.get(line.product_id)!, 0);
    merged.set(key, { lines: sorted, mass_g: mass, count });
  }
  return [...merged.values()].sort((a, b) => b.mass_g - a.mass_g || compareLines(a.lines, b.lines));
}

function compareLines(a: readonly PackageLine[], b: readonly PackageLine[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const byProduct = a[i]!.product_id - b[i]!.product_id;
    if (byProduct !== 0) return byProduct;
    const byQuantity = b[i]!.quantity - a[i]!.quantity;
    if (byQuantity !== 0) return byQuantity;
  }
  return a.length - b.length;
}
