/**
 * Changes too large for one transaction (a 100-line order, a fill of many lines) take units in
 * parts, each recorded on the order as unpacked; then all of a request's parts are packed
 * together, in one shipment (SPEC rule 2). If the request dies in between, the sweeper packs
 * what it left, so no unit stays unpacked (rule 7).
 */
import type { LotTake } from '../domain/lots.js';
import type { Quantities } from '../domain/model.js';
import { CREATION_REQUEST, creationComplete, type ShipmentEvent } from '../domain/order-record.js';
import { packParts, readOrder } from '../store/order-store.js';
import { cachedProducts } from './catalog-cache.js';
import { logShipped, makeShipmentEvent } from './shipments.js';

/** Packs every part `requestId` left on the order into one shipment; undefined if there was none. */
export async function packUnpacked(
  orderKey: string,
  requestId: string,
  restockKey?: string,
): Promise<ShipmentEvent | undefined> {
  const stored = await readOrder(orderKey);
  if (!stored) return undefined;
  const parts = stored.parts.filter((p) => p.requestId === requestId);
  if (parts.length === 0) return undefined;
  // A creation's units are packed once every line is allocated: one packing for the whole order.
  if (requestId === CREATION_REQUEST && !creationComplete(stored.order)) return undefined;
  const units: Quantities = new Map();
  const masses = new Map<number, { mass_g: number }>();
  const lots = new Map<number, LotTake[]>();
  for (const part of parts) {
    for (const [p, q] of part.units) {
      units.set(p, (units.get(p) ?? 0) + q);
      lots.set(p, [...(lots.get(p) ?? []), ...(part.lots?.get(p) ?? [{ lot: null, quantity: q }])]);
    }
    for (const [p, mass_g] of part.masses) masses.set(p, { mass_g });
  }
  const shipment = makeShipmentEvent(requestId, units, masses, { lots });
  if (!shipment) return undefined;
  const packed = await packParts({ orderKey, orderId: stored.order.orderId, parts, shipment, restockKey });
  if (packed === 'gone') return undefined;
  logShipped(stored.order.orderId, shipment, cachedProducts([...units.keys()]) ?? new Map());
  return shipment;
}

/** Every request's leftovers on one order (the sweeper's view: it does not know who left them). */
export async function packAllUnpacked(orderKey: string): Promise<void> {
  const stored = await readOrder(orderKey);
  if (!stored) return;
  for (const requestId of new Set(stored.parts.map((p) => p.requestId))) await packUnpacked(orderKey, requestId);
}
