/**
 * SPEC v2 `LotView`, pure: a lot's counts and every package that carried it, oldest first, in
 * pages of at most LOT_PAGE packages, so that a recall reaches every hospital that received it.
 */
import type { OrderId } from './order-id.js';
import { expandShipments, type ShipmentEvent } from './order-record.js';

export interface LotView {
  product_id: number;
  lot: string;
  expires_at: string | null;
  recalled: boolean;
  restocked: number;
  on_hand: number;
  shipped: number;
  written_off: number;
  shipments: LotPackage[];
  next_cursor: string | null;
}

/** A package that carried units of a lot, and how many. */
export interface LotPackage {
  order_id: OrderId;
  shipment_id: string;
  quantity: number;
  shipped_at: string;
}

/** SPEC: pages of at most 1000 packages. */
export const LOT_PAGE = 1000;

/** The packages of one shipment event that carried units of the product's lot, in package order. */
export function packagesOfLot(productId: number, lot: string, orderId: OrderId, event: ShipmentEvent): LotPackage[] {
  return expandShipments(orderId, event).flatMap((shipment) => {
    const quantity = shipment.shipped
      .filter((line) => line.product_id === productId)
      .flatMap((line) => line.lots)
      .filter((t) => t.lot === lot)
      .reduce((n, t) => n + t.quantity, 0);
    return quantity > 0
      ? [{ order_id: orderId, shipment_id: shipment.shipment_id, quantity, shipped_at: shipment.shipped_at }]
      : [];
  });
}
