/**
 * An order as the domain sees it, and its OrderView (SPEC "OrderView"), pure.
 */
import type { PackagePattern } from './packing.js';
import type { Line, OrderStatus, OrderView, Quantities, Shipment } from './model.js';
import type { OrderId } from './order-id.js';

/** The packages one request shipped to one order, as stored: grouped patterns, expanded on read. */
export interface ShipmentEvent {
  eventId: string;
  /** Which request caused it: `order` for the order's creation, else the restock or sweep id. */
  requestId: string;
  shippedAt: string;
  patterns: PackagePattern[];
}

export interface OrderRecord {
  orderId: OrderId;
  orderKey: string;
  createdAt: string;
  requested: Quantities;
  shipped: Quantities;
  backordered: Quantities;
  /** Lines of a large order not yet allocated (its creation needs several transactions). */
  unprocessed: Quantities;
  /** Units allocated by a request but not yet packed, by request id (large fills only). */
  unpacked: Map<string, Quantities>;
}

/** Expands stored patterns into numbered packages: ids are stable, so replays show the same ids. */
export function expandShipments(orderId: OrderId, event: ShipmentEvent): Shipment[] {
  const shipments: Shipment[] = [];
  for (const pattern of event.patterns) {
    for (let i = 0; i < pattern.count; i++) {
      shipments.push({
        shipment_id: `${event.eventId}-${shipments.length + 1}`,
        order_id: orderId,
        shipped: pattern.lines.map((l) => ({ product_id: l.product_id, quantity: l.quantity })),
        mass_g: pattern.mass_g,
        shipped_at: event.shippedAt,
      });
    }
  }
  return shipments;
}

export function toLines(quantities: Quantities): Line[] {
  return [...quantities.entries()]
    .filter(([, q]) => q !== 0)
    .sort(([a], [b]) => a - b)
    .map(([product_id, quantity]) => ({ product_id, quantity }));
}

export function orderStatus(order: Pick<OrderRecord, 'shipped' | 'backordered' | 'unprocessed'>): OrderStatus {
  const waiting = sum(order.backordered) + sum(order.unprocessed);
  if (waiting === 0) return 'fulfilled';
  return sum(order.shipped) > 0 ? 'partially_shipped' : 'backordered';
}

/** Events must come oldest first (the store's sort key order). */
export function toOrderView(order: OrderRecord, events: ShipmentEvent[]): OrderView {
  const backordered = new Map(order.backordered);
  // Lines a large order has not allocated yet are waiting too, from the operator's point of view.
  for (const [p, q] of order.unprocessed) backordered.set(p, (backordered.get(p) ?? 0) + q);
  return {
    order_id: order.orderId,
    status: orderStatus(order),
    requested: toLines(order.requested),
    shipped: toLines(order.shipped),
    backordered: toLines(backordered),
    shipments: events.flatMap((e) => expandShipments(order.orderId, e)),
    created_at: order.createdAt,
  };
}

export function sum(quantities: Quantities): number {
  let total = 0;
  for (const q of quantities.values()) total += q;
  return total;
}

export function sameQuantities(a: Quantities, b: Quantities): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
