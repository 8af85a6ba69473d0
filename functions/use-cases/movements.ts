/**
 * GET /inventory/products/{product_id}/movements: a product's movement ledger in commit order,
 * a page at a time (SPEC v2). Summing the movements gives the units on hand after each one.
 *
 * Movements are listed by the sequencer from the table's stream, a moment after their write
 * commits (in AWS well under a second; under `npm start` within the stream poll); the product's
 * `seq` counts every movement committed, so a client that needs the newest can compare.
 */
import { NotFoundError } from '../domain/errors.js';
import { numberCursor } from '../domain/list-cursor.js';
import { type Movement, toMovement } from '../domain/movement.js';
import { expandShipments } from '../domain/order-record.js';
import { getProducts } from '../store/catalog-store.js';
import { readMovements, shipmentEventKey, shipmentEventsOf } from '../store/ledger-store.js';

/** The cursor of this list: the sequence number of the next movement. */
const CURSOR = numberCursor('m1.');

export interface MovementPageView {
  movements: Movement[];
  /** Opaque; null on the last page. */
  next_cursor: string | null;
}

export async function productMovements(productId: number, limit: number, cursor?: string): Promise<MovementPageView> {
  const fromSeq = cursor === undefined ? 1 : CURSOR.decode(cursor);
  const [products, page] = await Promise.all([getProducts([productId]), readMovements(productId, fromSeq, limit)]);
  if (!products.has(productId)) throw new NotFoundError(`no product ${productId}`);
  const events = await shipmentEventsOf(page.movements);
  return {
    movements: page.movements.map((m) => {
      if (m.cause.kind !== 'shipment') return toMovement(m);
      const event = events.get(shipmentEventKey(m.cause.orderKey, m.cause.requestId, m.cause.eventId));
      // The packages of that shipment that carried this product.
      const ids = event
        ? expandShipments(event.orderId, event)
            .filter((s) => s.shipped.some((l) => l.product_id === productId))
            .map((s) => s.shipment_id)
        : [];
      return toMovement(m, ids);
    }),
    next_cursor: page.nextSeq === undefined ? null : CURSOR.encode(page.nextSeq),
  };
}
