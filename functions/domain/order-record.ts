/**
 * An order as the domain sees it, and its OrderView (SPEC "OrderView"), pure.
 *
 * An order stores what was requested, once, and never per-product totals: every unit requested
 * is either shipped (in a shipment event, or allocated by a request and not packed yet) or still
 * waiting, so `backordered = requested - shipped` for each product. Nothing that changes with
 * each fill lives on the order, so no write to an order grows with its number of lines.
 */
import { randomUUID } from 'node:crypto';
import type { Line, OrderStatus, OrderView, Quantities, Shipment } from './model.js';
import type { OrderId } from './order-id.js';
import { dealLots, type LotTake } from './lots.js';
import type { PackagePattern } from './packing.js';
import type { Priority } from './priority.js';

/** The packages one request shipped to one order, as stored: grouped patterns, expanded on read. */
export interface ShipmentEvent {
  eventId: string;
  /** Which request caused it: `order` for the order's creation, else the restock key or the sweep's id. */
  requestId: string;
  shippedAt: string;
  patterns: PackagePattern[];
  /**
   * The lots of each product's units, in the order they were taken (FEFO), dealt out to the
   * packages in their order on expansion. A product absent here shipped from its unnamed lot.
   */
  lots?: Map<number, LotTake[]>;
}

/**
 * How far the creation of an order too large for one transaction has come: its lines (sorted
 * by product id) are allocated in parts of `partLines` lines, `partsDone` of `partsTotal` so far.
 */
export interface CreationProgress {
  partLines: number;
  partsDone: number;
  partsTotal: number;
}

export interface OrderRecord {
  orderId: OrderId;
  orderKey: string;
  createdAt: string;
  priority: Priority;
  /** Where the order stands in every product's queue (see `queueKeyFor`). */
  queueKey: string;
  requested: Quantities;
  /** Absent once every line is allocated (always absent for an order created in one transaction). */
  creation?: CreationProgress;
  /** Units requests allocated to the order and have not packed yet, by request id. */
  unpacked: Map<string, Quantities>;
  /** Set by the first part of a cancellation; `units` grows with each part (one per 49 lines). */
  cancellation?: Cancellation;
}

export interface Cancellation {
  at: string;
  reason: string | null;
  /** Parts committed so far (a cancellation of more lines than one transaction holds goes in parts). */
  parts: number;
  /** Units cancelled so far, per product. */
  units: Quantities;
}

/**
 * A shipment event's id, the stem of its packages' `shipment_id`s: the time in base 36 (so ids
 * sort oldest first, as the order's packages are listed) and 8 random hex digits.
 */
export function newEventId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}

/** Request id of the units an order ships at its creation. */
export const CREATION_REQUEST = 'order';

/** Units shipped so far, per product: packed in shipments, or allocated and waiting to be packed. */
export function shippedUnits(order: Pick<OrderRecord, 'unpacked'>, events: ShipmentEvent[]): Quantities {
  const shipped: Quantities = new Map();
  const add = (p: number, q: number) => shipped.set(p, (shipped.get(p) ?? 0) + q);
  for (const event of events) {
    for (const pattern of event.patterns) for (const l of pattern.lines) add(l.product_id, l.quantity * pattern.count);
  }
  for (const units of order.unpacked.values()) for (const [p, q] of units) add(p, q);
  return shipped;
}

/** Units still waiting, per product (lines a large order has not allocated yet included). */
export function backorderedUnits(
  requested: Quantities,
  shipped: Quantities,
  cancelled: Quantities = new Map(),
): Quantities {
  return new Map([...requested].map(([p, q]) => [p, q - (shipped.get(p) ?? 0) - (cancelled.get(p) ?? 0)]));
}

/** Units of the order still waiting, per product, only those with some (what a cancellation cancels). */
export function waitingUnits(order: OrderRecord, events: ShipmentEvent[]): Quantities {
  const waiting = backorderedUnits(order.requested, shippedUnits(order, events), order.cancellation?.units);
  return new Map([...waiting].filter(([, q]) => q > 0));
}

/** The lines of the next creation part to allocate, or undefined when the creation is complete. */
export function nextCreationPart(order: Pick<OrderRecord, 'requested' | 'creation'>): Line[] | undefined {
  const creation = order.creation;
  if (!creation || creation.partsDone >= creation.partsTotal) return undefined;
  const start = creation.partsDone * creation.partLines;
  return toLines(order.requested).slice(start, start + creation.partLines);
}

export const creationComplete = (order: Pick<OrderRecord, 'creation'>): boolean =>
  !order.creation || order.creation.partsDone >= order.creation.partsTotal;

/** Expands stored patterns into numbered packages: ids are stable, so replays show the same ids. */
export function expandShipments(orderId: OrderId, event: ShipmentEvent): Shipment[] {
  const shipments: Shipment[] = [];
  const lotsOf = packageLots(event);
  for (const pattern of event.patterns) {
    for (let i = 0; i < pattern.count; i++) {
      shipments.push({
        shipment_id: `${event.eventId}-${shipments.length + 1}`,
        order_id: orderId,
        shipped: pattern.lines.map((l) => ({
          product_id: l.product_id,
          quantity: l.quantity,
          lots: lotsOf(l.product_id, l.quantity),
        })),
        mass_g: pattern.mass_g,
        shipped_at: event.shippedAt,
      });
    }
  }
  return shipments;
}

/** Each product's lots dealt to the package lines in order; a product without lots shipped from its unnamed lot. */
function packageLots(event: ShipmentEvent): (productId: number, quantity: number) => LotTake[] {
  const dealers = new Map([...(event.lots ?? [])].map(([productId, takes]) => [productId, dealLots(takes)]));
  return (productId, quantity) => dealers.get(productId)?.(quantity) ?? [{ lot: null, quantity }];
}

export function packageCount(event: Pick<ShipmentEvent, 'patterns'>): number {
  return event.patterns.reduce((n, p) => n + p.count, 0);
}

export function toLines(quantities: Quantities): Line[] {
  return [...quantities.entries()]
    .filter(([, q]) => q !== 0)
    .sort(([a], [b]) => a - b)
    .map(([product_id, quantity]) => ({ product_id, quantity }));
}

export function orderStatus(
  shipped: Quantities,
  backordered: Quantities,
  cancelled: Quantities = new Map(),
): OrderStatus {
  if (sum(backordered) === 0) return sum(cancelled) > 0 ? 'cancelled' : 'fulfilled';
  return sum(shipped) > 0 ? 'partially_shipped' : 'backordered';
}

/** Events must come oldest first (the store's sort key order). */
export function toOrderView(order: OrderRecord, events: ShipmentEvent[]): OrderView {
  const shipped = shippedUnits(order, events);
  const cancelled = order.cancellation?.units ?? new Map<number, number>();
  const backordered = backorderedUnits(order.requested, shipped, cancelled);
  return {
    order_id: order.orderId,
    priority: order.priority,
    status: orderStatus(shipped, backordered, cancelled),
    requested: toLines(order.requested),
    shipped: toLines(shipped),
    backordered: toLines(backordered),
    cancelled: toLines(cancelled),
    shipments: events.flatMap((e) => expandShipments(order.orderId, e)),
    created_at: order.createdAt,
    ...(order.cancellation ? { cancelled_at: order.cancellation.at, cancel_reason: order.cancellation.reason } : {}),
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
