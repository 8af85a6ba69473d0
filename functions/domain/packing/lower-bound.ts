/**
 * Lower bounds on the number of packages: Martello–Toth L2 and the Gilmore–Gomory LP relaxation
 * (column generation).
 *
 * A lower bound is what turns "a packing" into "a proven minimal packing" (SPEC rule 2): when a
 * packing uses as many packages as some bound, nothing can do better, so a bound must be valid
 * whatever the floating point did: the LP's is recomputed in integers before it is returned. The
 * LP pays for its setup and each large step before doing it; a bound it cannot afford to check
 * exactly is not returned (0, no bound).
 */
import { PACKAGE_LIMIT_G, type MassGroups } from './mass-groups.js';
import type { WorkBudget } from './work-budget.js';

const LIMIT = PACKAGE_LIMIT_G;

/** `ceil(a / b)` for a >= 0, b > 0, exact for the integer sizes used here (far below 2^53). */
export function ceilDiv(a: number, b: number): number {
  return Math.floor((a + b - 1) / b);
}

/**
 * Martello–Toth L2, never below L1 = ceil(total / limit). Units over half the limit need a package
 * each; for a threshold K, the units of at least K and at most half the limit must fit in the room
 * left beside the big units that can take them, or in extra packages. K ranges over the small
 * masses present, where the maximum is attained.
 */
export function lowerBoundL2Groups(masses: readonly number[], counts: ArrayLike<number>): number {
  const half = LIMIT / 2;
  let bigUnits = 0;
  let bigMass = 0;
  let firstSmall = 0;
  while (firstSmall < masses.length && masses[firstSmall]! > half) {
    bigUnits += counts[firstSmall]!;
    bigMass += counts[firstSmall]! * masses[firstSmall]!;
    firstSmall++;
  }
  let smallMass = 0;
  for (let i = firstSmall; i < masses.length; i++) smallMass += counts[i]! * masses[i]!;

  let best = Math.max(bigUnits, ceilDiv(bigMass + smallMass, LIMIT));
  // K walks up the small masses: the small units of at least K (J3) shrink, and the big units too
  // heavy to share with a unit of mass K (J1) grow from the heaviest end, so one pass suffices.
  let j1End = 0;
  let j2Units = bigUnits;
  let j2Mass = bigMass;
  let j3Mass = smallMass;
  for (let k = masses.length - 1; k >= firstSmall; k--) {
    const units = counts[k]!;
    if (units === 0) continue;
    const threshold = masses[k]!;
    while (j1End < firstSmall && masses[j1End]! > LIMIT - threshold) {
      j2Units -= counts[j1End]!;
      j2Mass -= counts[j1End]! * masses[j1End]!;
      j1End++;
    }
    const roomBesideJ2 = j2Units * LIMIT - j2Mass;
    if (j3Mass > roomBesideJ2) best = Math.max(best, bigUnits + ceilDiv(j3Mass - roomBesideJ2, LIMIT));
    j3Mass -= units * threshold;
  }
  return best;
}

/** Dual-feasible functions u^(k) are tried for k = 1..DFF_MAX_K. */
const DFF_MAX_K = 12;

/**
 * Fekete–Schepers bound: the best over k = 1..DFF_MAX_K and thresholds ε (0 and every mass up to
 * half a package) of ceil(sum of f(mass) / limit), f = u^(k) ∘ U^(ε). Both are dual-feasible
 * functions (units that fit in a package still fit after f), so any such sum bounds the packages:
 * U^(ε) drops units under ε and rounds units over limit − ε up to a whole package (L2's idea);
 * u^(k)(x) = x where (k + 1)x / limit is whole, else floor((k + 1)x / limit) · limit / k, which
 * makes, say, three units just over a third of a package (k = 2) weigh half a package each. It
 * sees what L2 misses on many random masses: 1,000 units of 1..1800 g where L2 is 2-3 short.
 * Exact in integers (everything times k); O(DFF_MAX_K · groups), no budget needed. 0 when the
 * sums could leave the safe integers.
 */
export function lowerBoundDffGroups(masses: readonly number[], counts: ArrayLike<number>): number {
  const n = masses.length;
  let total = 0;
  for (let g = 0; g < n; g++) total += masses[g]! * counts[g]!;
  if (total * DFF_MAX_K * 2 > Number.MAX_SAFE_INTEGER) return 0;
  // Thresholds: 0 and each mass present up to half a package, ascending.
  const thresholds = [0];
  for (let g = n - 1; g >= 0; g--) if (counts[g]! > 0 && 2 * masses[g]! <= LIMIT) thresholds.push(masses[g]!);
  let best = 0;
  // prefix[i]: sum over groups before i (heaviest first) of k · u^(k)(mass) · count; units[i]: their units.
  const prefix = new Array<number>(n + 1).fill(0);
  const units = new Array<number>(n + 1).fill(0);
  for (let g = 0; g < n; g++) units[g + 1] = units[g]! + counts[g]!;
  for (let k = 1; k <= DFF_MAX_K; k++) {
    for (let g = 0; g < n; g++) {
      const mass = masses[g]!;
      const scaled = ((k + 1) * mass) % LIMIT === 0 ? k * mass : Math.floor(((k + 1) * mass) / LIMIT) * LIMIT;
      prefix[g + 1] = prefix[g]! + scaled * counts[g]!;
    }
    // As ε grows, the whole-package units (mass > limit − ε) and the dropped ones (mass < ε) grow.
    let wholeEnd = 0;
    let keptEnd = n;
    for (const threshold of thresholds) {
      while (wholeEnd < n && masses[wholeEnd]! > LIMIT - threshold) wholeEnd++;
      while (keptEnd > wholeEnd && masses[keptEnd - 1]! < threshold) keptEnd--;
      const kept = Math.max(wholeEnd, keptEnd);
      const sum = k * LIMIT * units[wholeEnd]! + prefix[kept]! - prefix[wholeEnd]!;
      best = Math.max(best, ceilDiv(sum, k * LIMIT));
    }
  }
  return best;
}

/** A package pattern (units per mass group) and how often the LP optimum uses it (fractional). */
export interface LpColumn {
  readonly counts: readonly number[];
  readonly amount: number;
}

/**
 * The package an LP column stands for, out of the units left. The LP lets a unit take the place
 * of a heavier one (its exchange columns), so a column's units of a mass are places that a
 * lighter unit may fill: places a mass has no units left for pass on to the next lighter mass (a
 * lighter unit always fits), and those left at the end stay empty. Cutting each mass down to its
 * units instead lost those places: on a Scholl set 1 style event of 98 units the LP optimum's
 * whole packages, so cut, left 56 units that needed 21 packages where the LP had 19, and no dive
 * from it could reach the LP bound that a packing meets.
 */
export function packageOfColumn(columnCounts: readonly number[], unitsLeft: readonly number[]): number[] {
  let passed = 0;
  return columnCounts.map((units, group) => {
    const places = units + passed;
    const taken = Math.min(places, unitsLeft[group]!);
    passed = places - taken;
    return taken;
  });
}

/** An amount this close below a whole number counts as that number when rounding to packages. */
export const LP_ROUNDING_EPSILON = 1e-9;

export interface LpRelaxation {
  /** A valid lower bound, checked in integer arithmetic whatever rounding the simplex suffered. */
  readonly bound: number;
  /**
   * The primal solution the bound came from, a starting point for rounding to real packages: an
   * optimum only when asked for (`LpOptions.optimal`), else the one at which the bound settled.
   */
  readonly columns: readonly LpColumn[];
}

export interface LpOptions {
  /** Stop once it proves this many packages are needed: nothing more is useful then. */
  readonly enough?: number;
  /** A bound already known: it stops once its solution uses at most that many packages. */
  readonly known?: number;
  /** Known packages (a packing's, or an earlier LP's), priced before the knapsack. */
  readonly pool?: readonly (readonly number[])[];
  /**
   * Go on to an optimum (for rounding or a dive), rather than stopping once the bound is settled
   * (`known`, or its own: see `CuttingStockLp.optimize`).
   */
  readonly optimal?: boolean;
}

const PIVOT_EPSILON = 1e-9;
/** Duals are scaled to integers this fine before the bound is checked exactly. */
const DUAL_SCALE = 2 ** 30;
/** Added to the i-th group's count (times i + 1) inside the simplex only; see CuttingStockLp. */
const RHS_PERTURBATION = 1e-7;
/** The floating-point Farley bound must clear the target by this much before it is checked exactly. */
const FARLEY_MARGIN = 1e-7;
/** How far below a known bound the LP's solution must be to show the optimum cannot raise it. */
const KNOWN_MARGIN = 1e-6;
/** Pivots between two full recomputations of the duals (updated in between). */
const DUALS_REFRESH = 32;
/** Nodes of branch-and-bound pricing before the DP has to answer. */
const PRICING_SEARCH_NODES = 300;

/**
 * Gilmore–Gomory LP relaxation of the packing (column generation). Its bound is the strongest
 * practical one: it sees, for example, that 10,000 units of 700 g and 10,000 of 500 g need 7,500
 * packages where L2 only proves 6,667. With few distinct masses it converges in a few pivots.
 * It stops early once it proves `enough` packages are needed, and unless asked for an `optimal`
 * solution once the bound is settled (the columns are then a feasible, not an optimal, solution).
 */
export function solveLpRelaxation(groups: MassGroups, budget: WorkBudget, options: LpOptions = {}): LpRelaxation {
  const { enough = Infinity, known = 0, pool = [], optimal = false } = options;
  // Empty groups would make the starting basis singular, so the LP only sees groups with units.
  const present = groups.counts.flatMap((count, i) => (count > 0 ? [i] : []));
  if (present.length === 0) return { bound: 0, columns: [] };
  // Setting up costs a rows-by-rows inverse and the knapsack table: paid for before it is built.
  const rows = present.length;
  if (!budget.spend(2 * rows * rows + rows * LIMIT)) return { bound: 0, columns: [] };
  const lp = new CuttingStockLp(
    present.map((i) => groups.masses[i]!),
    present.map((i) => groups.counts[i]!),
    pool.map((counts) => present.map((i) => counts[i]!)),
  );
  lp.optimize(budget, enough, optimal ? 0 : known, !optimal);
  const columns = lp.columns().map(({ counts, amount }) => {
    const full = new Array<number>(groups.masses.length).fill(0);
    present.forEach((i, row) => {
      full[i] = counts[row]!;
    });
    return { counts: full, amount };
  });
  // The exact check of the bound is one more knapsack; without the budget for it, no bound.
  const bound = lp.checked() || budget.spend(rows * LIMIT) ? lp.provenBound() : 0;
  return { bound, columns };
}

/**
 * Revised simplex over package patterns: minimise packages subject to packing every group's units
 * exactly (as good as "at least": a pattern with a unit less is a pattern too, and it needs no
 * surplus columns, which made the degenerate pivots cycle). Entering columns come from a knapsack
 * on the current duals; no pattern is listed up front. The right-hand side is perturbed a little
 * so that no pivot is degenerate, the other classic source of cycling; the duals stay valid
 * for the true counts because the bound taken from them is recomputed exactly.
 */
class CuttingStockLp {
  private readonly rows: number;
  private readonly knapsack: PatternKnapsack;
  /** Package pattern (units per group) of the basic variable of each row. */
  private readonly basis: Float64Array[] = [];
  /** The basic variable of each row is a package (cost 1), not a dual-optimal-inequality column (cost 0). */
  private readonly isPackage: boolean[] = [];
  /** Basis inverse, row-major. */
  private readonly inverse: Float64Array;
  private readonly level: Float64Array;
  private duals: Float64Array;
  private readonly caps: readonly number[];
  /** Work of the last pricing, charged to the budget. */
  private pricingWork = 0;
  /** Best Farley bound seen (floating point, checked exactly at the end) and its duals. */
  private bestFarley = 0;
  private bestDuals: Float64Array | undefined;
  /** The best Farley bound already confirmed (or not) exactly. */
  private checkedFarley = 0;
  private proven: { duals: Float64Array; bound: number } | undefined;

  /**
   * Packages priced before the knapsack (see `poolColumn`): the known ones (cut down to the caps),
   * then every package the knapsack found.
   */
  private readonly pool: PooledPackage[];
  /** Work of pricing the whole pool: a step per unit group a package holds. */
  private poolWork = 0;

  constructor(
    private readonly masses: readonly number[],
    private readonly counts: readonly number[],
    pool: readonly (readonly number[])[],
  ) {
    const rows = masses.length;
    this.rows = rows;
    const caps = masses.map((mass, i) => Math.min(counts[i]!, Math.floor(LIMIT / mass)));
    this.caps = caps;
    this.pool = [];
    for (const counts of pool) this.remember(Float64Array.from(counts, (units, i) => Math.min(units, caps[i]!)));
    this.knapsack = new PatternKnapsack(masses, caps);
    this.inverse = new Float64Array(rows * rows);
    this.level = new Float64Array(rows);
    // One single-mass pattern per group: feasible from the start, with a diagonal inverse.
    caps.forEach((cap, i) => {
      const column = new Float64Array(rows);
      column[i] = cap;
      this.basis.push(column);
      this.isPackage.push(true);
      this.inverse[i * rows + i] = 1 / cap;
      this.level[i] = (counts[i]! + RHS_PERTURBATION * (i + 1)) / cap;
    });
    this.duals = this.computeDuals();
  }

  /**
   * Pivots until an optimum, the budget's end or `enough`, or until the bound is settled: its
   * solution uses at most `known` packages, or (`settle`) no more than the ceiling of the bound
   * it has proven itself; the LP optimum lies between the two, so more pivots cannot raise the
   * bound (its packages are counted without what the raised counts add: `perturbationCost`). On
   * 100 distinct masses the solution comes within a few hundredths of a package of the optimum in
   * half the pivots, and the tail of column generation only closes that gap: the LPs that raise
   * L2 on the benchmark's 400-800 g events took 144 M work units in all instead of 238 M to
   * their optimum, on its Scholl set 3 events 239 M instead of 349 M.
   */
  optimize(budget: WorkBudget, enough: number, known: number, settle: boolean): void {
    const maxPivots = 50 + 100 * this.rows;
    for (let pivots = 0; pivots < maxPivots; pivots++) {
      const used = this.packagesUsed() - this.perturbationCost();
      if (used <= known - KNOWN_MARGIN) return;
      if (settle && this.settledAt(used, budget)) return;
      const free = this.dualOptimalInequalityColumn();
      const entering = free ?? this.poolColumn() ?? this.enteringColumn(budget);
      // A pivot updates the inverse (rows² steps) and the duals (rows).
      const pivotWork = this.rows * this.rows + 2 * this.rows;
      if (!budget.spend((free ? this.rows : this.pricingWork) + pivotWork) || !entering) return;
      if (this.bestFarley > enough - 1 + FARLEY_MARGIN && this.bestFarley > this.checkedFarley) {
        // Probably enough: confirm exactly (one knapsack) before giving up on a better bound.
        this.checkedFarley = this.bestFarley;
        if (!budget.spend(this.knapsack.work) || this.provenBound() >= enough) return;
      }
      const direction = this.basisSolve(entering);
      const row = this.leavingRow(direction);
      if (row < 0) return;
      const reducedCost = (free ? 0 : 1) - dot(this.duals, entering);
      this.pivot(row, direction, entering, free === undefined);
      // The duals move along the pivot row of the new inverse (O(rows) instead of O(rows²)); now
      // and then they are recomputed whole, so rounding cannot pile up.
      this.duals =
        pivots % DUALS_REFRESH === DUALS_REFRESH - 1 ? this.computeDuals() : this.dualsAfterPivot(row, reducedCost);
    }
  }

  /**
   * A solution of `used` packages is within the ceiling of the best Farley bound, and that bound
   * holds exactly (one knapsack, paid for, the first time for each best bound).
   */
  private settledAt(used: number, budget: WorkBudget): boolean {
    if (this.bestFarley <= 0) return false;
    const ceiling = Math.ceil(this.bestFarley - FARLEY_MARGIN);
    if (used > ceiling) return false;
    if (!this.checked() && !budget.spend(this.knapsack.work)) return false;
    return this.provenBound() >= ceiling;
  }

  /** y' = y + d · (row `row` of the new inverse), d the entering column's reduced cost. */
  private dualsAfterPivot(row: number, reducedCost: number): Float64Array {
    const n = this.rows;
    const duals = Float64Array.from(this.duals);
    for (let j = 0; j < n; j++) duals[j] = duals[j]! + reducedCost * this.inverse[row * n + j]!;
    return duals;
  }

  /**
   * Farley's bound, in integers, from the duals that gave the best floating-point estimate: whatever
   * weights w >= 0 the units get, no package carries more than the knapsack optimum V, so at least
   * ceil(sum(w) / V) packages are needed. Valid for any weights, optimal duals or not, so floating
   * point can weaken this bound but never make it wrong.
   */
  provenBound(): number {
    const duals = this.bestDuals ?? this.duals;
    if (this.proven?.duals !== duals) this.proven = { duals, bound: this.farleyBound(duals) };
    return this.proven.bound;
  }

  /** The bound `provenBound` would return is already computed (it costs nothing more). */
  checked(): boolean {
    return this.proven !== undefined && this.proven.duals === (this.bestDuals ?? this.duals);
  }

  private farleyBound(duals: Float64Array): number {
    const weights = Array.from(duals, (dual) => (dual > 0 ? Math.floor(dual * DUAL_SCALE) : 0));
    const perPackage = this.knapsack.best(weights).value;
    if (perPackage <= 0) return 0;
    let total = 0n;
    weights.forEach((weight, i) => {
      total += BigInt(weight) * BigInt(this.counts[i]!);
    });
    const most = BigInt(perPackage);
    return Number((total + most - 1n) / most);
  }

  /**
   * What the counts' perturbation adds to the packages used, at the current duals. Without it a
   * solution never came within the bound when the optimum is a whole number (an optimum of exactly
   * 34 packages is 34.0001 with the counts raised), and those LPs ran on to their optimum.
   * Only the stopping rule uses it: a bound is always recomputed exactly.
   */
  private perturbationCost(): number {
    let cost = 0;
    for (let i = 0; i < this.rows; i++) cost += Math.max(0, this.duals[i]!) * RHS_PERTURBATION * (i + 1);
    return cost;
  }

  private packagesUsed(): number {
    let used = 0;
    for (let row = 0; row < this.rows; row++) if (this.isPackage[row]) used += this.level[row]!;
    return used;
  }

  columns(): LpColumn[] {
    const columns: LpColumn[] = [];
    this.basis.forEach((column, row) => {
      if (this.isPackage[row] && this.level[row]! > PIVOT_EPSILON) {
        columns.push({ counts: Array.from(column), amount: this.level[row]! });
      }
    });
    return columns;
  }

  /**
   * Dual-optimal inequalities (Ben Amor, Desrosiers, Valério de Carvalho 2006): some optimal duals
   * are non-negative and never smaller for a heavier mass (a heavier unit's place in a package can
   * always take a lighter one instead). Their primal columns cost nothing: a unit covered twice
   * (surplus), a heavier unit standing in for the next lighter one (exchange). Entering them while
   * the duals break the inequalities keeps the duals in that well-behaved region, which cuts the
   * degenerate pivots by far and makes the Farley bounds along the way much stronger.
   */
  private dualOptimalInequalityColumn(): Float64Array | undefined {
    let worst = PIVOT_EPSILON;
    let row = -1;
    let exchange = false;
    for (let i = 0; i < this.rows; i++) {
      const d = this.duals[i]!;
      if (-d > worst) {
        worst = -d;
        row = i;
        exchange = false;
      }
      // Rows follow the masses, heaviest first; equal masses never occur.
      if (i + 1 < this.rows && this.duals[i + 1]! - d > worst) {
        worst = this.duals[i + 1]! - d;
        row = i;
        exchange = true;
      }
    }
    if (row < 0) return undefined;
    const column = new Float64Array(this.rows);
    column[row] = -1;
    if (exchange) column[row + 1] = 1;
    return column;
  }

  /**
   * The known package (a packing's, or an earlier LP's) that prices out best, if any does. Good
   * packages are what the simplex has to find, and each knapsack it would take to find them costs
   * about a hundred times as much as pricing the whole pool: 100 distinct masses took 1,300 to
   * 2,300 pivots and 200 to 250 knapsacks from the one-mass packages, which the first packing's
   * packages cut by half.
   */
  private poolColumn(): Float64Array | undefined {
    let best = 1 + PIVOT_EPSILON;
    let column: Float64Array | undefined;
    for (const { counts, groups } of this.pool) {
      let value = 0;
      for (let k = 0; k < groups.length; k++) value += this.duals[groups[k]!]! * counts[groups[k]!]!;
      if (value > best) {
        best = value;
        column = counts;
      }
    }
    this.pricingWork = this.poolWork;
    return column;
  }

  /**
   * A package joins the pool with the groups it holds: a package holds a few of many masses, so
   * pricing it over those alone costs a few steps rather than one per mass (distinct300-1000
   * event 43: pricing the pool took 8 of its LP's 56 M work units over every mass).
   */
  private remember(counts: Float64Array): void {
    const groups = Int32Array.from(counts.keys()).filter((group) => counts[group]! !== 0);
    this.pool.push({ counts, groups });
    this.poolWork += groups.length + 1;
  }

  /**
   * Undefined when no pattern prices out (optimal) or the budget cannot pay for the exact pricing.
   * A package the knapsack found joins the pool: the simplex has no other memory of the packages
   * that left its basis, and on 100 distinct masses many of them price out again later, each time
   * for another knapsack, which pricing the pool spares (distinct300-1000 event 43: 288 knapsacks,
   * 81 M work units to its bound; keeping them, 130 knapsacks and 56 M).
   */
  private enteringColumn(budget: WorkBudget): Float64Array | undefined {
    const best = this.bestPattern(this.duals, budget);
    if (!best) return undefined;
    if (best.exact) this.noteFarleyBound(best.value);
    if (best.value <= 1 + PIVOT_EPSILON) return undefined; // no pattern prices out: optimal
    const column = Float64Array.from(best.counts);
    if (best.byKnapsack) this.remember(column);
    return column;
  }

  /** `mostPerPackage`: the exact knapsack optimum for the current (all non-negative) duals. */
  private noteFarleyBound(mostPerPackage: number): void {
    if (mostPerPackage <= 0) return;
    let covered = 0;
    this.duals.forEach((dual, i) => {
      covered += Math.max(0, dual) * this.counts[i]!;
    });
    const farley = covered / mostPerPackage;
    if (farley > this.bestFarley) {
      this.bestFarley = farley;
      this.bestDuals = Float64Array.from(this.duals);
    }
  }

  /**
   * Pricing only needs some pattern worth more than one package to make progress, so a short
   * branch and bound usually answers; only when it finds none without finishing does the exact DP
   * have to confirm that none exists (which is what ends the column generation).
   */
  private bestPattern(
    values: Float64Array,
    budget: WorkBudget,
  ): { value: number; counts: number[]; exact: boolean; byKnapsack: boolean } | undefined {
    const searched = bestPatternBySearch(this.masses, this.caps, values, PRICING_SEARCH_NODES);
    this.pricingWork += searched.work;
    if (searched.complete || searched.pattern.value > 1 + PIVOT_EPSILON) {
      return { ...searched.pattern, exact: searched.complete, byKnapsack: false };
    }
    // The DP is paid for before it runs (it is the one large step of an iteration).
    if (!budget.spend(this.pricingWork + this.knapsack.work)) return undefined;
    this.pricingWork = 0;
    return { ...this.knapsack.best(values), exact: true, byKnapsack: true };
  }

  private basisSolve(column: Float64Array): Float64Array {
    const n = this.rows;
    const result = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const entry = column[j]!;
      if (entry === 0) continue;
      for (let r = 0; r < n; r++) result[r] = result[r]! + this.inverse[r * n + j]! * entry;
    }
    return result;
  }

  /** Ratio test; ties go to the lowest row so the pivots, and the answer, are deterministic. */
  private leavingRow(direction: Float64Array): number {
    let row = -1;
    let ratio = Infinity;
    for (let r = 0; r < this.rows; r++) {
      if (direction[r]! <= PIVOT_EPSILON) continue;
      const candidate = this.level[r]! / direction[r]!;
      if (candidate < ratio) {
        ratio = candidate;
        row = r;
      }
    }
    return row;
  }

  private pivot(row: number, direction: Float64Array, entering: Float64Array, isPackage: boolean): void {
    const n = this.rows;
    const step = this.level[row]! / direction[row]!;
    for (let r = 0; r < n; r++) this.level[r] = Math.max(0, this.level[r]! - step * direction[r]!);
    this.level[row] = step;
    // The rows² step of every pivot (a fifth of an LP's time on 100 masses): locals, not fields,
    // and four entries per step (the same operations on each entry, so the same inverse):
    // distinct400-800 event 15, 50 runs of its esbuild bundle, median 109-119 ms -> 100-104 ms.
    const inverse = this.inverse;
    const pivotStart = row * n;
    const pivotValue = direction[row]!;
    for (let j = 0; j < n; j++) inverse[pivotStart + j] = inverse[pivotStart + j]! / pivotValue;
    for (let r = 0; r < n; r++) {
      const factor = direction[r]!;
      if (r === row || factor === 0) continue;
      const start = r * n;
      let j = 0;
      for (; j + 3 < n; j += 4) {
        const a = start + j;
        const b = pivotStart + j;
        inverse[a] = inverse[a]! - factor * inverse[b]!;
        inverse[a + 1] = inverse[a + 1]! - factor * inverse[b + 1]!;
        inverse[a + 2] = inverse[a + 2]! - factor * inverse[b + 2]!;
        inverse[a + 3] = inverse[a + 3]! - factor * inverse[b + 3]!;
      }
      for (; j < n; j++) inverse[start + j] = inverse[start + j]! - factor * inverse[pivotStart + j]!;
    }
    this.basis[row] = entering;
    this.isPackage[row] = isPackage;
  }

  /** Every basic package costs one, the rest nothing: the duals are those rows' sums of the inverse. */
  private computeDuals(): Float64Array {
    const n = this.rows;
    const duals = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      if (!this.isPackage[r]) continue;
      for (let j = 0; j < n; j++) duals[j] = duals[j]! + this.inverse[r * n + j]!;
    }
    return duals;
  }
}

/** A package of the pool, and the groups it holds units of. */
interface PooledPackage {
  readonly counts: Float64Array;
  readonly groups: Int32Array;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * A valuable single package by depth-first branch and bound, units of the best value per gram
 * first, pruned by the fractional (Dantzig) bound. `complete`: it finished, so `pattern` is the
 * optimum; otherwise `pattern` is the best seen within `nodeLimit` nodes.
 */
function bestPatternBySearch(
  masses: readonly number[],
  caps: readonly number[],
  values: ArrayLike<number>,
  nodeLimit: number,
): { pattern: { value: number; counts: number[] }; complete: boolean; work: number } {
  const order = masses
    .map((_, group) => group)
    .filter((group) => values[group]! > 0 && caps[group]! > 0)
    .sort((a, b) => values[b]! / masses[b]! - values[a]! / masses[a]! || a - b);
  const counts = new Array<number>(masses.length).fill(0);
  let best = { value: 0, counts: [...counts] };
  let nodes = 0;
  const visit = (depth: number, left: number, value: number): boolean => {
    if (++nodes > nodeLimit) return false;
    if (value > best.value) best = { value, counts: [...counts] };
    let bound = value;
    for (let d = depth, room = left; d < order.length && room > 0; d++) {
      const group = order[d]!;
      const units = Math.min(caps[group]!, room / masses[group]!);
      bound += units * values[group]!;
      room -= units * masses[group]!;
    }
    if (depth === order.length || bound <= best.value) return true;
    const group = order[depth]!;
    for (let units = Math.min(caps[group]!, Math.floor(left / masses[group]!)); units >= 0; units--) {
      counts[group] = units;
      if (!visit(depth + 1, left - units * masses[group]!, value + units * values[group]!)) return false;
    }
    counts[group] = 0;
    return true;
  };
  const complete = visit(0, LIMIT, 0);
  return { pattern: best, complete, work: nodes * (order.length + 4) };
}

/**
 * The most valuable single package: a bounded knapsack over the groups (each group split into
 * 1, 2, 4, ... unit pieces so any count up to its cap is a sum of pieces), solved by dynamic
 * programming over the 1801 possible package masses.
 */
class PatternKnapsack {
  private readonly pieceGroup: number[] = [];
  private readonly pieceUnits: number[] = [];
  private readonly pieceMass: number[] = [];
  /** bestValue[mass]: the best value of a package weighing at most `mass`. */
  private readonly bestValue = new Float64Array(LIMIT + 1);
  /** took[piece * (LIMIT + 1) + mass]: the piece improved the optimum for that mass. */
  private readonly took: Uint8Array;

  constructor(
    private readonly masses: readonly number[],
    caps: readonly number[],
  ) {
    caps.forEach((cap, group) => {
      for (let size = 1, left = cap; left > 0; size *= 2) {
        const units = Math.min(size, left);
        this.pieceGroup.push(group);
        this.pieceUnits.push(units);
        this.pieceMass.push(units * masses[group]!);
        left -= units;
      }
    });
    this.took = new Uint8Array(this.pieceGroup.length * (LIMIT + 1));
  }

  /** Upper estimate of one call's work, in budget units. */
  get work(): number {
    return this.pieceGroup.length * LIMIT;
  }

  best(values: ArrayLike<number>): { value: number; counts: number[] } {
    const width = LIMIT + 1;
    this.bestValue.fill(0);
    const used: number[] = [];
    for (let piece = 0; piece < this.pieceGroup.length; piece++) {
      const unitValue = values[this.pieceGroup[piece]!]!;
      if (unitValue <= 0) continue; // worthless units never help a package's value
      used.push(piece);
      const mass = this.pieceMass[piece]!;
      const value = unitValue * this.pieceUnits[piece]!;
      const row = piece * width;
      const { bestValue, took } = this;
      // Cleared in one native fill, then marked only where the piece improves the optimum: writing
      // every cell in the loop was a third of its time (the DP is most of the LP's).
      took.fill(0, row + mass, row + width);
      for (let capacity = LIMIT; capacity >= mass; capacity--) {
        const candidate = bestValue[capacity - mass]! + value;
        if (candidate > bestValue[capacity]!) {
          bestValue[capacity] = candidate;
          took[row + capacity] = 1;
        }
      }
    }
    const counts = new Array<number>(this.masses.length).fill(0);
    let capacity = LIMIT;
    for (let i = used.length - 1; i >= 0; i--) {
      const piece = used[i]!;
      if (capacity >= this.pieceMass[piece]! && this.took[piece * width + capacity] === 1) {
        counts[this.pieceGroup[piece]!]! += this.pieceUnits[piece]!;
        capacity -= this.pieceMass[piece]!;
      }
    }
    return { value: this.bestValue[LIMIT]!, counts };
  }
}
