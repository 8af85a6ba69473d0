/**
 * Changes too large for one TransactWriteItems (100 items): a 100-line order, or a restock that
 * fills one order's many lines. Each part is its own guarded transaction that records its
 * shipped units as "unpacked" on the order; a last transaction packs all of a request's units
 * together (SPEC rule 2) and removes them. Units are never lost in between: conservation holds
 * after every part, and if the request dies the sweeper resumes from what the order records.
 */
import { randomUUID } from 'node:crypto';
import { allocateOnHand } from '../domain/allocation.js';
import type { Quantities } from '../domain/model.js';
import { orderIdFromKey } from '../domain/order-id.js';
import type { ShipmentEvent } from '../domain/order-record.js';
import { getProducts } from '../store/catalog-store.js';
import {
  changeOrderTotals,
  CREATION_REQUEST,
  finishUnpacked,
  MAX_LINES_PER_ORDER_UPDATE,
  requestOfUnpackedKey,
  unpackedKey,
} from '../store/items/order-item.js';
import { putShipment } from '../store/items/shipment-item.js';
import { getOrder } from '../store/order-store.js';
import {
  MAX_TRANSACTION_ITEMS,
  retryOnContention,
  transactWrite,
  type TransactionItem,
} from '../store/transactions.js';
import { rememberProducts } from './catalog-cache.js';
import { backorderedOf, groupToFit, lineItems, shippedOf } from './order-lines.js';
import { logShipped, makeShipmentEvent } from './shipments.js';

/** How long a request may own a large change before the sweeper finishes it for it. */
export const LARGE_CHANGE_LEASE_MS = 60_000;

/** Allocates the lines a large order's creation has not allocated yet, a transaction per part. */
export async function allocateUnprocessedLines(orderKey: string): Promise<void> {
  await retryOnContention(async () => {
    const order = await getOrder(orderKey);
    if (!order || order.unprocessed.size === 0) return;
    const products = await getProducts(order.unprocessed.keys());
    rememberProducts(products.values());
    const allocations = [...order.unprocessed].map(([product_id, quantity]) => {
      const product = products.get(product_id);
      if (!product) throw new Error(`product ${product_id} of order ${orderKey} is gone`);
      return allocateOnHand({ product_id, quantity }, product);
    });
    // One slot is the order's own update, whose expression limits the lines per part.
    const parts = groupToFit(
      allocations,
      (a) => (a.backorder > 0 ? 2 : 1),
      MAX_TRANSACTION_ITEMS - 1,
      MAX_LINES_PER_ORDER_UPDATE,
    );
    for (const part of parts) {
      const items: TransactionItem[] = [
        changeOrderTotals(orderKey, {
          shipped: shippedOf(part),
          backordered: backorderedOf(part),
          processedLines: part.map((a) => a.product_id),
          unpackedKey: unpackedKey(CREATION_REQUEST, randomUUID()),
        }),
        ...part.flatMap((a) => lineItems(a, products.get(a.product_id)!, orderKey, order.queueKey)),
      ];
      // A lost race throws: the retry re-reads and goes on with the lines still unprocessed.
      await transactWrite(items);
    }
  });
}

/**
 * Packs everything `requestId` left unpacked on the order into one shipment event.
 * `extraItems` joins the same transaction (a restock's reference to the shipment).
 */
export async function packUnpacked(
  orderKey: string,
  requestId: string,
  extraItems: (event: ShipmentEvent) => TransactionItem[] = () => [],
): Promise<ShipmentEvent | undefined> {
  const order = await getOrder(orderKey);
  if (!order) return undefined;
  const keys = [...order.unpacked.keys()].filter((k) => requestOfUnpackedKey(k) === requestId);
  if (keys.length === 0) return undefined;
  if (requestId === CREATION_REQUEST && order.unprocessed.size > 0) return undefined;
  const units: Quantities = new Map();
  for (const k of keys) for (const [p, q] of order.unpacked.get(k)!) units.set(p, (units.get(p) ?? 0) + q);
  const products = await getProducts(units.keys());
  const event = makeShipmentEvent(requestId, units, products);
  if (!event) return undefined;
  await transactWrite([
    finishUnpacked(orderKey, keys, requestId === CREATION_REQUEST),
    putShipment(orderKey, order.orderId, event),
    ...extraItems(event),
  ]);
  logShipped(orderIdFromKey(orderKey), event, products);
  return event;
}

/** Every request's leftovers on one order (the sweeper's view: it does not know who left them). */
export async function packAllUnpacked(orderKey: string): Promise<void> {
  const order = await getOrder(orderKey);
  if (!order) return;
  const requests = new Set([...order.unpacked.keys()].map(requestOfUnpackedKey));
  for (const requestId of requests) await packUnpacked(orderKey, requestId);
}
