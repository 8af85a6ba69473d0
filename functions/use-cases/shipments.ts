/**
 * Turning units into a shipment event (exact packing, SPEC rules 1 and 2), and the
 * `ship_package` log line of the original exercise: one readable line per package, so a person
 * watching `npm start` sees boxes go out.
 */
import { packingCounters } from '../commons/counters.js';
import { logger } from '../commons/logger.js';
import type { LotTake } from '../domain/lots.js';
import type { Product, Quantities } from '../domain/model.js';
import type { OrderId } from '../domain/order-id.js';
import { expandShipments, newEventId, type ShipmentEvent } from '../domain/order-record.js';
import { packUnits, type UnitsToPack } from '../domain/packing.js';

export function makeShipmentEvent(
  requestId: string,
  units: Quantities,
  masses: Map<number, Pick<Product, 'mass_g'>>,
  { now = Date.now(), lots }: { now?: number; lots?: Map<number, LotTake[]> } = {},
): ShipmentEvent | undefined {
  const toPack: UnitsToPack[] = [];
  for (const [product_id, quantity] of units) {
    if (quantity <= 0) continue;
    const product = masses.get(product_id);
    if (!product) throw new Error(`no mass known for product ${product_id}`);
    toPack.push({ product_id, mass_g: product.mass_g, quantity });
  }
  if (toPack.length === 0) return undefined;
  const packing = packUnits(toPack);
  if (packing.usedFallback) {
    packingCounters.fallbacks++;
    logger.warn('packing fell back to first-fit-decreasing', {
      packages: packing.packageCount,
      lowerBound: packing.lowerBound,
    });
  }
  return {
    eventId: newEventId(now),
    requestId,
    shippedAt: new Date(now).toISOString(),
    patterns: packing.patterns,
    ...(lots ? { lots } : {}),
  };
}

/** Call only after the event is committed. */
export function logShipped(
  orderId: OrderId,
  event: ShipmentEvent,
  products: Map<number, Pick<Product, 'product_name'>>,
): void {
  for (const shipment of expandShipments(orderId, event)) {
    const contents = shipment.shipped
      .map((l) => `${l.quantity} x ${products.get(l.product_id)?.product_name ?? '?'} (${l.product_id})`)
      .join(', ');
    logger.info(`ship_package order=${String(orderId)} ${shipment.shipment_id}: ${contents} = ${shipment.mass_g} g`, {
      order_id: orderId,
      shipment_id: shipment.shipment_id,
      mass_g: shipment.mass_g,
      request_id: event.requestId,
    });
  }
}
