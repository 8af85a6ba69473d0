/**
 * Allocation arithmetic (SPEC rules 3 and 4), pure.
 *
 * The invariant the store's conditions keep, outside of a restock's drain: no unit is on hand
 * that the first waiting order could take (no usable unit while an emergency order waits, none
 * above the emergency reserve while any order waits). So a new order takes stock only when no
 * order of its priority or a higher one waits, and urgent and routine orders leave the reserve.
 */
import {
  afterTakes,
  type LotStock,
  type LotTake,
  mergeTakes,
  type StockTake,
  splitTakes,
  takeFefo,
  usableUnits,
} from './lots.js';
import type { Line, Quantities } from './model.js';
import {
  availableTo,
  type Priority,
  type PriorityStock,
  priorityRank,
  reserveFloor,
  usableOnHand,
} from './priority.js';

/**
 * A product's stock with its lots, as a plan sees it (the lots add up to `on_hand`). `lots_rev`
 * (absent: 0) grows with every restock into a named lot: a plan's takes are first expired first
 * only among the lots it saw, so its write is guarded on the `lots_rev` it saw, and a lot that
 * arrived since (which may expire before the ones taken) makes it plan again (rule 9).
 */
export type LotPriorityStock = PriorityStock & { lots: readonly LotStock[]; lots_rev?: number };

/** The stock as a plan with this horizon sees it: units of lots unusable by then are `unusable`. */
export function asOf<S extends LotPriorityStock>(stock: S, horizon: string): S & { unusable: number } {
  return { ...stock, unusable: unusableOf(stock, horizon) };
}

/**
 * Units on hand a plan may not take: those not in a lot usable at the horizon. Counted from the
 * usable lots, so that a plan never ships more than its takes give even on a hint whose lots lag
 * its units on hand (the write's guards then refuse it, and it is planned again on fresh data).
 */
function unusableOf(stock: Pick<LotPriorityStock, 'on_hand' | 'lots'>, horizon: string): number {
  return Math.max(0, stock.on_hand - usableUnits(stock.lots, horizon));
}

interface AllocationBase {
  product_id: number;
  priority: Priority;
  /**
   * Units the order must leave on hand: the reserve for urgent and routine orders (else 0), plus
   * the units the plan found unusable (expired lots still on hand never count toward the reserve).
   */
  floor: number;
  /** The lots the shipped units come from, first expired first (rule 9); empty when nothing ships. */
  takes: StockTake[];
  /** The `lots_rev` the takes were planned on. */
  lotsRev: number;
}

/** How one order line meets the stock of its product. Each kind is guarded by its own write condition. */
export type LineAllocation = AllocationBase &
  (
    | /** All units ship; guard: on_hand >= ship + floor and nobody of this priority or higher waits. */
    { kind: 'ship-all'; ship: number; backorder: 0 }
    /** Everything above the floor ships, the rest waits; guard: on_hand === ship + floor, nobody at or above waits. */
    | { kind: 'ship-on-hand'; ship: number; backorder: number }
    /** Nothing ships; guard: on_hand <= floor, or somebody of this priority or higher already waits. */
    | { kind: 'wait'; ship: 0; backorder: number }
  );

/**
 * `horizon`: the instant the takes must still find their lots usable at (domain/lots.ts
 * `takeHorizon`); lots unusable then are left on hand and count as `unusable`.
 */
export function allocateOnHand(
  line: Line,
  stock: LotPriorityStock,
  priority: Priority,
  horizon: string,
): LineAllocation {
  const { product_id, quantity } = line;
  const unusable = unusableOf(stock, horizon);
  const seen = { ...stock, unusable };
  const base = {
    product_id,
    priority,
    floor: reserveFloor(priority, stock.emergency_reserve) + unusable,
    lotsRev: stock.lots_rev ?? 0,
  };
  const available = availableTo(seen, priority);
  if (available <= 0) return { ...base, takes: [], kind: 'wait', ship: 0, backorder: quantity };
  const ship = Math.min(available, quantity);
  const { takes } = takeFefo(stock.lots, ship, horizon);
  if (ship === quantity) return { ...base, takes, kind: 'ship-all', ship, backorder: 0 };
  return { ...base, takes, kind: 'ship-on-hand', ship, backorder: quantity - ship };
}

/** The guess for a product whose stock this function never saw: its unnamed lot, which never expires. */
const unnamedLotTake = (quantity: number): StockTake[] => [{ lot: null, quantity, expiresAt: null, empties: false }];

/**
 * The optimistic try, planned on stock as last seen (valid only if the write's guards hold): a
 * line whose product's stock is unknown is assumed to ship in full (from above the reserve).
 */
export function allocateOnHints(
  lines: Line[],
  hints: Map<number, LotPriorityStock>,
  reserves: Map<number, number>,
  priority: Priority,
  horizon: string,
): LineAllocation[] {
  return lines.map((l) => {
    const hint = hints.get(l.product_id);
    if (hint) return allocateOnHand(l, hint, priority, horizon);
    const floor = reserveFloor(priority, reserves.get(l.product_id) ?? 0);
    // The guess also assumes no named lot was ever restocked; the guard proves it or refuses it.
    const takes = unnamedLotTake(l.quantity);
    const guess = { product_id: l.product_id, priority, floor, takes, lotsRev: 0 };
    return { ...guess, kind: 'ship-all', ship: l.quantity, backorder: 0 };
  });
}

/** The lots the allocations take, per product (what a shipment's packages list). */
export function lotsTakenBy(allocations: LineAllocation[]): Map<number, LotTake[]> {
  return new Map(
    allocations
      .filter((a) => a.ship > 0)
      .map((a) => [a.product_id, a.takes.map(({ lot, quantity }) => ({ lot, quantity }))]),
  );
}

/** Units the allocations ship now, per product. */
export function shippedBy(allocations: LineAllocation[]): Quantities {
  return new Map(allocations.filter((a) => a.ship > 0).map((a) => [a.product_id, a.ship]));
}

/** One waiting order in a product's queue; queues are in serve order by `queueKey`. */
export interface QueueEntry {
  product_id: number;
  queueKey: string;
  orderKey: string;
  priority: Priority;
  remaining: number;
}

/** Units one drain pass gives one order, over all the products it waits for. */
export interface PlannedFill {
  orderKey: string;
  queueKey: string;
  priority: Priority;
  lines: Array<{ product_id: number; quantity: number; remainingBefore: number; lots: LotTake[] }>;
}

/** What a drain plans on: units on hand per lot and the reserve only emergency orders may take. */
export type DrainStock = Pick<LotPriorityStock, 'on_hand' | 'emergency_reserve' | 'lots'>;

/**
 * Plans one drain pass: for each product, on-hand units go to its queue in serve order (by
 * priority, then oldest first); urgent and routine orders get only units above the reserve.
 * The fills are grouped per order (one order gets one shipment per request, packed together:
 * SPEC rule 2) and returned in ascending queue-key order. Committing them in that order keeps
 * every product's serve order at every moment, because all queues are ordered by the same key.
 *
 * `served` are orders this request already shipped to: they get nothing more from it (rule 2:
 * one request never ships to one order in two rounds), and since they may not be skipped
 * either (rule 4), a product's queue stops at the first of them; the units left are for the
 * next drain (the restock that brought them waits for this drain's lease).
 */
export function planFills(
  stock: Map<number, DrainStock>,
  queues: Map<number, QueueEntry[]>,
  served: ReadonlySet<string>,
  horizon: string,
): PlannedFill[] {
  const byOrder = new Map<string, PlannedFill>();
  for (const [productId, entries] of queues) {
    const { on_hand = 0, emergency_reserve = 0, lots = [] } = stock.get(productId) ?? {};
    let left = usableOnHand({ on_hand, unusable: unusableOf({ on_hand, lots }, horizon) });
    const given: Array<{ entry: QueueEntry; quantity: number }> = [];
    for (const entry of [...entries].sort((a, b) => compareKeys(a.queueKey, b.queueKey))) {
      // Entries after this one are of the same or a lower priority: they may take no more.
      const available = left - reserveFloor(entry.priority, emergency_reserve);
      if (available <= 0 || served.has(entry.orderKey)) break;
      const quantity = Math.min(available, entry.remaining);
      left -= quantity;
      given.push({ entry, quantity });
    }
    // The lots that expire first go to the orders served first.
    const total = given.reduce((n, g) => n + g.quantity, 0);
    const lotsOf = splitTakes(
      takeFefo(lots, total, horizon).takes,
      given.map((g) => g.quantity),
    );
    given.forEach(({ entry, quantity }, i) => {
      let fill = byOrder.get(entry.orderKey);
      if (!fill) {
        fill = { orderKey: entry.orderKey, queueKey: entry.queueKey, priority: entry.priority, lines: [] };
        byOrder.set(entry.orderKey, fill);
      }
      fill.lines.push({ product_id: productId, quantity, remainingBefore: entry.remaining, lots: lotsOf[i]! });
    });
  }
  return [...byOrder.values()]
    .map((f) => ({ ...f, lines: f.lines.sort((a, b) => a.product_id - b.product_id) }))
    .sort((a, b) => compareKeys(a.queueKey, b.queueKey));
}

/**
 * What a batch of fills does to one product, and the guard that proves it: `need` units on
 * hand (the reserve stays when urgent or routine orders are among them), and, when lower
 * priorities are filled, exactly the units seen waiting at higher ones (an emergency order that
 * began waiting since the plan is served first, never passed over).
 */
export interface ProductBatch {
  product_id: number;
  /** Units the batch gives, in all and by priority. */
  quantity: number;
  /** The lots they come from, each once, first expired first. */
  takes: StockTake[];
  /** The `lots_rev` the takes were planned on. */
  lotsRev: number;
  emergency: number;
  urgent: number;
  need: number;
  /** Units waiting for emergency (and urgent) orders that the guard pins; undefined: not pinned. */
  pinEmergency?: number;
  pinUrgent?: number;
}

/**
 * The per-product effect of consecutive fills, given each product's stock before them (its
 * units waiting by priority included): the store turns each into one guarded update.
 */
export function batchEffect(
  fills: PlannedFill[],
  before: Map<number, LotPriorityStock>,
  horizon: string,
): Map<number, ProductBatch> {
  const out = new Map<number, ProductBatch>();
  const lines = new Map<number, LotTake[]>();
  for (const fill of fills) {
    const rank = priorityRank(fill.priority);
    for (const line of fill.lines) {
      const stock = before.get(line.product_id)!;
      const batch = out.get(line.product_id) ?? {
        product_id: line.product_id,
        quantity: 0,
        takes: [],
        lotsRev: stock.lots_rev ?? 0,
        emergency: 0,
        urgent: 0,
        need: 0,
      };
      batch.quantity += line.quantity;
      lines.set(line.product_id, [...(lines.get(line.product_id) ?? []), ...line.lots]);
      if (rank === 0) batch.emergency += line.quantity;
      if (rank === 1) batch.urgent += line.quantity;
      if (rank >= 1) batch.pinEmergency = stock.backordered_emergency;
      if (rank >= 2) batch.pinUrgent = stock.backordered_urgent;
      // Unusable units stay on hand beside the reserve, and never count toward it.
      const unusable = unusableOf(stock, horizon);
      batch.need = batch.quantity + unusable + (batch.quantity > batch.emergency ? stock.emergency_reserve : 0);
      out.set(line.product_id, batch);
    }
  }
  for (const batch of out.values()) {
    const lots = new Map(before.get(batch.product_id)!.lots.map((l) => [l.lot, l]));
    batch.takes = mergeTakes(lines.get(batch.product_id)!).map((t) => {
      const lot = lots.get(t.lot);
      return { ...t, expiresAt: lot?.expiresAt ?? null, empties: t.lot !== null && t.quantity === lot?.quantity };
    });
  }
  return out;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The stock after a batch committed (what the next batch of the same drain plans its guard on). */
export function afterBatch<S extends LotPriorityStock>(stock: S, batch: ProductBatch): S {
  return {
    ...stock,
    lots: afterTakes(stock.lots, batch.takes),
    on_hand: stock.on_hand - batch.quantity,
    backordered: stock.backordered - batch.quantity,
    backordered_emergency: stock.backordered_emergency - batch.emergency,
    backordered_urgent: stock.backordered_urgent - batch.urgent,
  };
}
