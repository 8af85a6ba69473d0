/**
 * Allocation arithmetic (SPEC rules 3 and 4), pure.
 *
 * The invariant the store's conditions keep: a product never has units on hand while an order
 * waits for it, except while a restock is draining its queue. So a new order may take stock
 * only when nobody waits (`backordered === 0`); otherwise it queues behind the older orders.
 */
import type { Line, Quantities, StockedProduct } from './model.js';

/** How one order line meets the stock of its product. Each kind is guarded by its own write condition. */
export type LineAllocation =
  /** All units ship; guard: on_hand >= quantity and nobody waits. */
  | { kind: 'ship-all'; product_id: number; ship: number; backorder: 0 }
  /** Everything on hand ships, the rest waits; guard: on_hand === ship and nobody waits. */
  | { kind: 'ship-on-hand'; product_id: number; ship: number; backorder: number }
  /** Nothing ships; guard: on_hand === 0 or somebody older already waits (then a drain owns that stock). */
  | { kind: 'wait'; product_id: number; ship: 0; backorder: number };

export function allocateOnHand(line: Line, product: Pick<StockedProduct, 'on_hand' | 'backordered'>): LineAllocation {
  const { product_id, quantity } = line;
  // `<= 0`: a hint remembered by a warm function is an estimate and may have run below zero.
  if (product.backordered > 0 || product.on_hand <= 0) {
    return { kind: 'wait', product_id, ship: 0, backorder: quantity };
  }
  if (product.on_hand >= quantity) {
    return { kind: 'ship-all', product_id, ship: quantity, backorder: 0 };
  }
  return { kind: 'ship-on-hand', product_id, ship: product.on_hand, backorder: quantity - product.on_hand };
}

/**
 * The optimistic try, planned on stock as last seen (valid only if the write's guards hold): a
 * line whose product's stock is unknown is assumed to ship in full.
 */
export function allocateOnHints(
  lines: Line[],
  hints: Map<number, Pick<StockedProduct, 'on_hand' | 'backordered'>>,
): LineAllocation[] {
  return lines.map((l) => {
    const hint = hints.get(l.product_id);
    return hint
      ? allocateOnHand(l, hint)
      : { kind: 'ship-all', product_id: l.product_id, ship: l.quantity, backorder: 0 };
  });
}

/** Units the allocations ship now, per product. */
export function shippedBy(allocations: LineAllocation[]): Quantities {
  return new Map(allocations.filter((a) => a.ship > 0).map((a) => [a.product_id, a.ship]));
}

/** One waiting order in a product's queue, oldest first by `queueKey`. */
export interface QueueEntry {
  product_id: number;
  queueKey: string;
  orderKey: string;
  remaining: number;
}

/** Units one drain pass gives one order, over all the products it waits for. */
export interface PlannedFill {
  orderKey: string;
  queueKey: string;
  lines: Array<{ product_id: number; quantity: number; remainingBefore: number }>;
}

/**
 * Plans one drain pass: for each product, on-hand units go to its queue oldest first. The fills
 * are grouped per order (one order gets one shipment per request, packed together: SPEC rule 2)
 * and returned in ascending queue-key order. Committing them in that order keeps every
 * product's FIFO at every moment, because all queues are ordered by the same global key.
 *
 * `served` are orders this request already shipped to: they get nothing more from it (rule 2:
 * one request never ships to one order in two rounds), and since they may not be skipped
 * either (rule 4), a product's queue stops at the first of them; the units left are for the
 * next drain (the restock that brought them waits for this drain's lease).
 */
export function planFills(
  onHand: Map<number, number>,
  queues: Map<number, QueueEntry[]>,
  served: ReadonlySet<string> = new Set(),
): PlannedFill[] {
  const byOrder = new Map<string, PlannedFill>();
  for (const [productId, entries] of queues) {
    let available = onHand.get(productId) ?? 0;
    for (const entry of [...entries].sort((a, b) => compareKeys(a.queueKey, b.queueKey))) {
      if (available <= 0 || served.has(entry.orderKey)) break;
      const quantity = Math.min(available, entry.remaining);
      available -= quantity;
      let fill = byOrder.get(entry.orderKey);
      if (!fill) {
        fill = { orderKey: entry.orderKey, queueKey: entry.queueKey, lines: [] };
        byOrder.set(entry.orderKey, fill);
      }
      fill.lines.push({ product_id: productId, quantity, remainingBefore: entry.remaining });
    }
  }
  return [...byOrder.values()]
    .map((f) => ({ ...f, lines: f.lines.sort((a, b) => a.product_id - b.product_id) }))
    .sort((a, b) => compareKeys(a.queueKey, b.queueKey));
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
