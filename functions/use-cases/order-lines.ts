/** Transaction items for order lines meeting stock, shared by a new order and a resumed large one. */
import type { LineAllocation } from '../domain/allocation.js';
import type { Product, Quantities } from '../domain/model.js';
import { allocateToOrder } from '../store/items/product-item.js';
import { putWait } from '../store/items/wait-item.js';
import type { TransactionItem } from '../store/transactions.js';

/** One or two items per line: the product's guarded update, and its queue entry if units wait. */
export function lineItems(
  allocation: LineAllocation,
  product: Pick<Product, 'rev'>,
  orderKey: string,
  queueKey: string | undefined,
): TransactionItem[] {
  const items = [allocateToOrder(allocation, product.rev)];
  if (allocation.backorder > 0) {
    if (!queueKey) throw new Error('a waiting line needs the order queue key');
    items.push(putWait(allocation.product_id, queueKey, orderKey, allocation.backorder));
  }
  return items;
}

export function shippedOf(allocations: LineAllocation[]): Quantities {
  return new Map(allocations.filter((a) => a.ship > 0).map((a) => [a.product_id, a.ship]));
}

export function backorderedOf(allocations: LineAllocation[]): Quantities {
  return new Map(allocations.filter((a) => a.backorder > 0).map((a) => [a.product_id, a.backorder]));
}

/** Groups lines so that each group's items fit `capacity` transaction slots, and at most `maxEntries` lines. */
export function groupToFit<T>(entries: T[], itemsOf: (e: T) => number, capacity: number, maxEntries = Infinity): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const entry of entries) {
    const n = itemsOf(entry);
    if ((used + n > capacity || current.length >= maxEntries) && current.length > 0) {
      groups.push(current);
      current = [];
      used = 0;
    }
    current.push(entry);
    used += n;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
