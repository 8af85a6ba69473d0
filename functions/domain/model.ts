/** Plain domain shapes shared by use cases and stores. No AWS imports here. */
import { fefoCompare, isUsable, type LotName, type LotStock, type LotTake } from './lots.js';
import type { OrderId } from './order-id.js';
import type { Priority } from './priority.js';

export interface Line {
  product_id: number;
  quantity: number;
}

/** Catalog data of a product; `rev` grows on every catalog upsert, so a write can prove its mass is current. */
export interface Product {
  product_id: number;
  product_name: string;
  mass_g: number;
  /** Units on hand that only emergency orders may take (SPEC rule 4). */
  emergency_reserve: number;
  rev: number;
}

/** A product with its stock, as read from the store. */
export interface StockedProduct extends Product {
  /** Units in stock and not promised to anyone. */
  on_hand: number;
  /** Units that waiting orders still need. */
  backordered: number;
  /** Of those, units that waiting emergency orders need. */
  backordered_emergency: number;
  /** Of those, units that waiting urgent orders need. */
  backordered_urgent: number;
  /** Audit counters: restocked === on_hand + shipped + written_off at every committed state (SPEC rule 5). */
  restocked: number;
  shipped: number;
  written_off: number;
  /** Movements of the product's stock so far (the ledger's sequence): every stock write pins it. */
  seq: number;
  /** Units on hand per lot (they add up to `on_hand`); the unnamed lot (null) is always there. */
  lots: LotStock[];
  /** Grows with every restock into a named lot (absent: 0); see `LotPriorityStock.lots_rev`. */
  lots_rev?: number;
}

/** SPEC `ProductView.lots`: a lot with units on hand. */
export interface LotOnHand {
  lot: LotName;
  quantity: number;
  expires_at: string | null;
  expired: boolean;
}

export interface ProductView {
  product_id: number;
  product_name: string;
  mass_g: number;
  emergency_reserve: number;
  quantity: number;
  backordered: number;
  /** Units written off so far. */
  written_off: number;
  /** Lots with units on hand, in the order rule 9 takes them. */
  lots: LotOnHand[];
}

/** A shipped line: its units and the lots they came from. */
export interface ShippedLine extends Line {
  lots: LotTake[];
}

export interface Shipment {
  shipment_id: string;
  order_id: OrderId;
  shipped: ShippedLine[];
  mass_g: number;
  shipped_at: string;
}

export type OrderStatus = 'fulfilled' | 'partially_shipped' | 'backordered' | 'cancelled';

export interface OrderView {
  order_id: OrderId;
  priority: Priority;
  status: OrderStatus;
  requested: Line[];
  shipped: Line[];
  backordered: Line[];
  /** Units cancelled before they shipped; shipped + backordered + cancelled = requested, per product. */
  cancelled: Line[];
  shipments: Shipment[];
  created_at: string;
  /** Present once the order is cancelled. */
  cancelled_at?: string;
  /** Present once the order is cancelled: the reason given, or null. */
  cancel_reason?: string | null;
}

/** Per-product quantities, keyed by product id. */
export type Quantities = Map<number, number>;

/** The product as SPEC shows it at `now`: lots with units on hand, `expired` once their expiry is past. */
export function toProductView(p: StockedProduct, now = new Date().toISOString()): ProductView {
  return {
    product_id: p.product_id,
    product_name: p.product_name,
    mass_g: p.mass_g,
    emergency_reserve: p.emergency_reserve,
    quantity: p.on_hand,
    backordered: p.backordered,
    written_off: p.written_off,
    lots: p.lots
      .filter((l) => l.quantity > 0)
      .sort(fefoCompare)
      .map((l) => ({ lot: l.lot, quantity: l.quantity, expires_at: l.expiresAt, expired: !isUsable(l, now) })),
  };
}
