/**
 * What a warm function remembers of products, so that an order needs no read: catalog data
 * (name, mass, rev) and a hint of each product's stock (units on hand, units waiting) as last
 * seen. Both may go stale. Every write that relies on them is guarded in the store (`rev` for the
 * mass, the stock conditions for the allocation), so a stale entry can never produce a package
 * over 1800 g or skip a waiting order; it only costs one retry, planned on what the failed
 * write saw.
 */
import type { LineAllocation, LotPriorityStock } from '../domain/allocation.js';
import { afterTakes, type RestockedLot, withRestocked } from '../domain/lots.js';
import type { Product, StockedProduct } from '../domain/model.js';

export type StockHint = LotPriorityStock;

const cache = new Map<number, Product>();
const stock = new Map<number, StockHint>();

export function rememberProducts(products: Iterable<Product | StockedProduct>): void {
  for (const p of products) {
    const { product_id, product_name, mass_g, emergency_reserve, rev } = p;
    cache.set(product_id, { product_id, product_name, mass_g, emergency_reserve, rev });
    if ('on_hand' in p) {
      const { on_hand, backordered, backordered_emergency, backordered_urgent, lots, lots_rev } = p;
      stock.set(product_id, {
        on_hand,
        emergency_reserve,
        backordered,
        backordered_emergency,
        backordered_urgent,
        lots,
        lots_rev: lots_rev ?? 0,
      });
    }
  }
}

/** All of `ids`, or undefined if any is unknown to this function. */
export function cachedProducts(ids: number[]): Map<number, Product> | undefined {
  const out = new Map<number, Product>();
  for (const id of ids) {
    const p = cache.get(id);
    if (!p) return undefined;
    out.set(id, p);
  }
  return out;
}

/** The stock last seen of those of `ids` this function has seen. */
export function stockHints(ids: number[]): Map<number, StockHint> {
  return new Map(ids.flatMap((id) => (stock.has(id) ? [[id, stock.get(id)!] as const] : [])));
}

/** What an order this function just created did to the stock it saw. */
export function rememberAllocations(allocations: LineAllocation[]): void {
  for (const a of allocations) {
    const hint = stock.get(a.product_id);
    if (!hint) continue;
    stock.set(a.product_id, {
      ...hint,
      on_hand: Math.max(0, hint.on_hand - a.ship),
      lots: afterTakes(hint.lots, a.takes),
      backordered: hint.backordered + a.backorder,
      backordered_emergency: hint.backordered_emergency + (a.priority === 'emergency' ? a.backorder : 0),
      backordered_urgent: hint.backordered_urgent + (a.priority === 'urgent' ? a.backorder : 0),
    });
  }
}

/** True when every one of `ids` was last seen with nobody waiting for it (a restock's plan). */
export function nobodySeenWaiting(ids: Iterable<number>): boolean {
  for (const id of ids) {
    if (stock.get(id)?.backordered !== 0) return false;
  }
  return true;
}

/** Units a restock put on hand where nobody waited, in their lots. */
export function rememberRestocked(lines: ReadonlyArray<RestockedLot & { product_id: number }>): void {
  // A restock into named lots bumps `lots_rev` once per product (product-item.ts); the hint
  // follows, a guess since another restock may have bumped it too (its guard then tells).
  const bumped = new Set<number>();
  for (const line of lines) {
    const hint = stock.get(line.product_id);
    if (!hint) continue;
    const bump = line.lot !== null && !bumped.has(line.product_id);
    if (bump) bumped.add(line.product_id);
    stock.set(line.product_id, {
      ...hint,
      on_hand: hint.on_hand + line.quantity,
      lots: withRestocked(hint.lots, [line]),
      lots_rev: (hint.lots_rev ?? 0) + (bump ? 1 : 0),
    });
  }
}

export function forgetCatalog(): void {
  cache.clear();
  stock.clear();
}
