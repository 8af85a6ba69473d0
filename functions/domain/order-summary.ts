/** SPEC `OrderSummary` (v2): an OrderView without its `shipments`, plus `packages`, their count. Pure. */
import type { OrderView } from './model.js';

export type OrderSummary = Omit<OrderView, 'shipments'> & { packages: number };

export function toOrderSummary(view: OrderView): OrderSummary {
  const { shipments, ...rest } = view;
  return { ...rest, packages: shipments.length };
}
