/**
 * The design that would lift one hot product's ceiling, simulated (pure, seeded): the product's
 * units on hand split over K stripe items, each under its own partition key
 * (`PRODUCT#<id>#<k>`: items that share a partition key share a partition, so stripes under one
 * key would share its 1,000 WCU/s). An in-stock order takes its units from one stripe, guarded by
 * `on_hand >= :q` on that stripe alone, so the product's orders spread over K partitions.
 *
 * Two questions, one function each:
 * - throughput: orders/s the K stripes sustain at a per-partition budget, orders picking a
 *   stripe at random and trying the next ones when it is throttled;
 * - low stock: how often the stripe an order picked is short while the product as a whole has
 *   the units (a false "out of stock" unless the order tries again over several stripes), and
 *   what that costs in transactions and write units.
 *
 * See docs/capacity.md for what stripes do to the guards (rules 4, 5 and 8).
 */

export interface ThroughputInput {
  stripes: number;
  offeredPerSecond: number;
  /** Write units one order costs on its stripe (a transactional update of one small item). */
  wcuPerOrder: number;
  partitionWcuPerSecond: number;
  /** Unused capacity a partition keeps, in seconds of its rate: it absorbs short bursts. */
  burstSeconds: number;
  /** Stripes an order tries in turn when throttled, before it counts as failed. */
  attempts: number;
  seconds: number;
  random: () => number;
}

export interface ThroughputResult {
  orders: number;
  served: number;
  /** Orders served by a stripe other than the first they tried. */
  servedOnRetry: number;
  failed: number;
  /**
   * Orders served per second that the partitions' rate paid for: capacity saved before the
   * window and spent in it is left out, so this never exceeds stripes x the one-item ceiling.
   */
  servedPerSecond: number;
  failedShare: number;
}

/** Poisson arrivals; each stripe a token bucket refilled at the partition's rate. */
export function simulateThroughput(input: ThroughputInput): ThroughputResult {
  const k = input.stripes;
  const rate = input.partitionWcuPerSecond;
  const capacity = Math.max(input.wcuPerOrder, rate * input.burstSeconds);
  const tokens = new Float64Array(k).fill(capacity);
  // The load runs a second before it is counted, so the partitions start from where that load
  // leaves them, not with capacity saved up while idle.
  const refilledAt = new Float64Array(k).fill(-WARM_UP_SECONDS);
  const refill = (s: number, t: number) => {
    tokens[s] = Math.min(capacity, tokens[s]! + (t - refilledAt[s]!) * rate);
    refilledAt[s] = t;
  };
  const saved = (t: number) => {
    for (let s = 0; s < k; s++) refill(s, t);
    return tokens.reduce((a, b) => a + b, 0);
  };
  let savedAtStart: number | undefined;
  let orders = 0;
  let served = 0;
  let servedOnRetry = 0;
  for (let t = nextArrival(-WARM_UP_SECONDS, input); t < input.seconds; t = nextArrival(t, input)) {
    const counted = t >= 0;
    if (counted) {
      savedAtStart ??= saved(0);
      orders++;
    }
    const first = Math.floor(input.random() * k);
    for (let attempt = 0; attempt < Math.min(input.attempts, k); attempt++) {
      const s = (first + attempt) % k;
      refill(s, t);
      if (tokens[s]! >= input.wcuPerOrder) {
        tokens[s]! -= input.wcuPerOrder;
        if (counted) served++;
        if (counted && attempt > 0) servedOnRetry++;
        break;
      }
    }
  }
  const spentFromSaved = Math.max(0, (savedAtStart ?? saved(0)) - saved(input.seconds)) / input.wcuPerOrder;
  return {
    orders,
    served,
    servedOnRetry,
    failed: orders - served,
    servedPerSecond: (served - spentFromSaved) / input.seconds,
    failedShare: orders === 0 ? 0 : (orders - served) / orders,
  };
}

const WARM_UP_SECONDS = 1;

const nextArrival = (t: number, input: ThroughputInput) => t - Math.log(1 - input.random()) / input.offeredPerSecond;

/**
 * The run at the highest offered rate at which at most `maxFailedShare` of orders find every
 * stripe they try throttled (bisection; every try replays the same seeded arrivals, scaled).
 */
export function sustainedRate(
  input: Omit<ThroughputInput, 'offeredPerSecond' | 'random'>,
  seed: () => () => number,
  maxFailedShare: number,
): ThroughputResult & { offeredPerSecond: number } {
  const run = (offeredPerSecond: number) => ({
    offeredPerSecond,
    ...simulateThroughput({ ...input, offeredPerSecond, random: seed() }),
  });
  let low = run(0);
  let high = ((input.stripes * input.partitionWcuPerSecond) / input.wcuPerOrder) * 1.5;
  for (let i = 0; i < 24; i++) {
    const mid = run((low.offeredPerSecond + high) / 2);
    if (mid.failedShare <= maxFailedShare) low = mid;
    else high = mid.offeredPerSecond;
  }
  return low;
}

export interface LowStockInput {
  stripes: number;
  /** Units on hand at the start of a trial, on each stripe (a restock spreads them evenly). */
  unitsPerStripe: number;
  /**
   * How an order picks its stripe: at random, or at random among the stripes that held enough
   * units as the function last saw them, `hintLag` orders ago (the orders of other functions
   * in between are what it has not seen; 0: it sees every stripe as it is).
   */
  pick: 'random' | 'hinted';
  hintLag: number;
  /** Write units of one transactional stripe update. */
  wcuPerStripeUpdate: number;
  /** Orders are counted by the product's average units per stripe when they arrive: these lower edges. */
  levels: number[];
  trials: number;
  random: () => number;
}

export interface LowStockLevel {
  /** Orders that arrived with at least this many units per stripe on average (and fewer than the level above). */
  unitsPerStripeAtLeast: number;
  orders: number;
  /** The picked stripe was short while the product had the units: a false "out of stock" without a retry. */
  firstTryMisses: number;
  missShare: number;
  /** Orders no single stripe could serve: their retry took units from several stripes. */
  splitOrders: number;
  transactionsPerOrder: number;
  /** Write units per order, the failed first tries included (a failed guard still costs its units). */
  wcuPerOrder: number;
}

/**
 * Trials from an even spread down to the first order the product cannot cover (from there the
 * order takes what is left and waits: one transaction over every stripe and the coordinator,
 * which closes the product to new orders; see `stockOutWcu`). Orders are counted by the stock
 * they met, so the table shows what stripes cost as the product runs low.
 */
export function simulateLowStock(input: LowStockInput): LowStockLevel[] {
  const k = input.stripes;
  const levels = [...input.levels].sort((a, b) => b - a);
  const tally = levels.map((level) => ({ level, orders: 0, misses: 0, split: 0, transactions: 0, wcu: 0 }));
  for (let trial = 0; trial < input.trials; trial++) {
    const stripes = Array.from({ length: k }, () => input.unitsPerStripe);
    let total = input.unitsPerStripe * k;
    const seen: number[][] = [];
    for (;;) {
      const q = orderSize(input.random);
      if (q > total) break;
      const bucket = tally.find((t) => total / k >= t.level) ?? tally[tally.length - 1]!;
      seen.push([...stripes]);
      const hint = seen[Math.max(0, seen.length - 1 - input.hintLag)]!;
      const s = input.pick === 'random' ? Math.floor(input.random() * k) : pickHinted(hint, q, input.random);
      bucket.orders++;
      bucket.transactions++;
      bucket.wcu += input.wcuPerStripeUpdate;
      total -= q;
      if (stripes[s]! >= q) {
        stripes[s]! -= q;
        continue;
      }
      // The failed guard answers with the stripe as it is; the retry reads every stripe and
      // takes from one that has the units, else from the fullest ones, in one transaction.
      bucket.misses++;
      bucket.transactions++;
      const touched = takeFromFullest(stripes, q, input.random);
      if (touched > 1) bucket.split++;
      bucket.wcu += touched * input.wcuPerStripeUpdate;
    }
  }
  const per = (n: number, orders: number) => (orders === 0 ? 0 : n / orders);
  return tally.map((t) => ({
    unitsPerStripeAtLeast: t.level,
    orders: t.orders,
    firstTryMisses: t.misses,
    missShare: per(t.misses, t.orders),
    splitOrders: t.split,
    transactionsPerOrder: per(t.transactions, t.orders),
    wcuPerOrder: per(t.wcu, t.orders),
  }));
}

/** The transaction that closes a striped product when an order must wait: every stripe and the coordinator. */
export const stockOutWcu = (stripes: number, wcuPerStripeUpdate: number) => (stripes + 1) * wcuPerStripeUpdate;

/**
 * Units per order: 1 (60 %), 2 (25 %), 3 to 6 (15 %): small orders of a scarce product, as
 * hospitals order blood units.
 */
export function orderSize(random: () => number): number {
  const r = random();
  if (r < 0.6) return 1;
  if (r < 0.85) return 2;
  return 3 + Math.floor(random() * 4);
}

function pickHinted(hint: number[], q: number, random: () => number): number {
  const enough = hint.flatMap((units, s) => (units >= q ? [s] : []));
  if (enough.length > 0) return enough[Math.floor(random() * enough.length)]!;
  return hint.indexOf(Math.max(...hint));
}

/** Takes `q` units: from a random stripe that has them all if any, else fullest first; returns the stripes touched. */
function takeFromFullest(stripes: number[], q: number, random: () => number): number {
  const enough = stripes.flatMap((units, s) => (units >= q ? [s] : []));
  if (enough.length > 0) {
    stripes[enough[Math.floor(random() * enough.length)]!]! -= q;
    return 1;
  }
  const order = stripes.map((_, s) => s).sort((a, b) => stripes[b]! - stripes[a]!);
  let left = q;
  let touched = 0;
  for (const s of order) {
    if (left === 0) break;
    const take = Math.min(left, stripes[s]!);
    if (take === 0) continue;
    stripes[s]! -= take;
    left -= take;
    touched++;
  }
  return touched;
}
