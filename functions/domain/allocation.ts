/**
 * Allocation arithmetic (SPEC rules 3 and 4), pure.
 *
 * The invariant the store's conditions keep, outside of a restock's drain: no unit is on hand
 * that the first waiting order could take (no usable unit while an emergency order waits, none
 * above the emergency reserve while any order waits). So a new order takes stock only when no
 * order of its priority or a higher one waits, and urgent and routine orders leave the reserve.
 */
import type { Line, Quantities } from './model.js';
import { availableTo, type Priority, type PriorityStock, priorityRank, reserveFloor } from './priority.js';

interface AllocationBase {
  product_id: number;
  priority: Priority;
  /** Units the order must leave on hand: the reserve for urgent and routine orders, else 0. */
  floor: number;
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

export function allocateOnHand(line: Line, stock: PriorityStock, priority: Priority): LineAllocation {
  const { product_id, quantity } = line;
  const base = { product_id, priority, floor: reserveFloor(priority, stock.emergency_reserve) };
  const available = availableTo(stock, priority);
  if (available <= 0) return { ...base, kind: 'wait', ship: 0, backorder: quantity };
  if (available >= quantity) return { ...base, kind: 'ship-all', ship: quantity, backorder: 0 };
  return { ...base, kind: 'ship-on-hand', ship: available, backorder: quantity - available };
}

/**
 * The optimistic try, planned on stock as last seen (valid only if the write's guards hold): a
 * line whose product's stock is unknown is assumed to ship in full (from above the reserve).
 */
export function allocateOnHints(
  lines: Line[],
  hints: Map<number, PriorityStock>,
  reserves: Map<number, number>,
  priority: Priority,
): LineAllocation[] {
  return lines.map((l) => {
    const hint = hints.get(l.product_id);
    if (hint) return allocateOnHand(l, hint, priority);
    const floor = reserveFloor(priority, reserves.get(l.product_id) ?? 0);
    return { kind: 'ship-all', product_id: l.product_id, priority, floor, ship: l.quantity, backorder: 0 };
  });
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
  lines: Array<{ product_id: number; quantity: number; remainingBefore: number }>;
}

/** What a drain plans on: units on hand and the reserve only emergency orders may take. */
export type DrainStock = Pick<PriorityStock, 'on_hand' | 'emergency_reserve'>;

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
  served: ReadonlySet<string> = new Set(),
): PlannedFill[] {
  const byOrder = new Map<string, PlannedFill>();
  for (const [productId, entries] of queues) {
    const { on_hand = 0, emergency_reserve = 0 } = stock.get(productId) ?? {};
    let left = on_hand;
    for (const entry of [...entries].sort((a, b) => compareKeys(a.queueKey, b.queueKey))) {
      // Entries after this one are of the same or a lower priority: they may take no more.
      const available = left - reserveFloor(entry.priority, emergency_reserve);
      if (available <= 0 || served.has(entry.orderKey)) break;
      const quantity = Math.min(available, entry.remaining);
      left -= quantity;
      let fill = byOrder.get(entry.orderKey);
      if (!fill) {
        fill = { orderKey: entry.orderKey, queueKey: entry.queueKey, priority: entry.priority, lines: [] };
        byOrder.set(entry.orderKey, fill);
      }
      fill.lines.push({ product_id: productId, quantity, remainingBefore: entry.remaining });
    }
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
export function batchEffect(fills: PlannedFill[], before: Map<number, PriorityStock>): Map<number, ProductBatch> {
  const out = new Map<number, ProductBatch>();
  for (const fill of fills) {
    const rank = priorityRank(fill.priority);
    for (const line of fill.lines) {
      const stock = before.get(line.product_id)!;
      const batch = out.get(line.product_id) ?? {
        product_id: line.product_id,
        quantity: 0,
        emergency: 0,
        urgent: 0,
        need: 0,
      };
      batch.quantity += line.quantity;
      if (rank === 0) batch.emergency += line.quantity;
      if (rank === 1) batch.urgent += line.quantity;
      if (rank >= 1) batch.pinEmergency = stock.backordered_emergency;
      if (rank >= 2) batch.pinUrgent = stock.backordered_urgent;
      batch.need = batch.quantity + (batch.quantity > batch.emergency ? stock.emergency_reserve : 0);
      out.set(line.product_id, batch);
    }
  }
  return out;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The stock after a batch committed (what the next batch of the same drain plans its guard on). */
export function afterBatch<S extends PriorityStock>(stock: S, batch: ProductBatch): S {
  return {
    ...stock,
    on_hand: stock.on_hand - batch.quantity,
    backordered: stock.backordered - batch.quantity,
    backordered_emergency: stock.backordered_emergency - batch.emergency,
    backordered_urgent: stock.backordered_urgent - batch.urgent,
  };
}
