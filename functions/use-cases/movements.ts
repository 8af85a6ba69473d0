/**
 * GET /inventory/products/{product_id}/movements: a product's movement ledger in commit order,
 * a page at a time (SPEC v2). Summing the movements gives the units on hand after each one.
 *
 * Movements are listed by the sequencer from the table's stream, a moment after their write
 * commits (in AWS well under a second; under `npm start` within the stream poll); the product's
 * `seq` counts every movement committed, so a client that needs the newest can compare.
 */
import { InvalidValueError, NotFoundError } from '../domain/errors.js';
import { type Movement, toMovement } from '../domain/movement.js';
import { expandShipments } from '../domain/order-record.js';
import { getProducts } from '../store/catalog-store.js';
import { readMovements, shipmentEventKey, shipmentEventsOf } from '../store/ledger-store.js';

export interface MovementPageView {
  movements: Movement[];
  /** Opaque; null on the last page. */
  next_cursor: string | null;
}

export async function productMovements(productId: number, limit: number, cursor?: string): Promise<MovementPageView> {
  const fromSeq = cursor === undefined ? 1 : seqOfCursor(cursor);
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
    next_cursor: page.nextSeq === undefined ? null : cursorOf(page.nextSeq),
  };
}

const CURSOR_PREFIX = 'm1.';
const cursorOf = (seq: number) => CURSOR_PREFIX + Buffer.from(String(seq)).toString('base64url');

function seqOfCursor(cursor: string): number {
  const text = cursor.startsWith(CURSOR_PREFIX)
    ? Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8')
    : '';
  const seq = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(seq)) {
    throw new InvalidValueError('the cursor is not one this service gave', [
      { path: 'cursor', message: 'is not a cursor of this list' },
    ]);
  }
  return seq;
}
