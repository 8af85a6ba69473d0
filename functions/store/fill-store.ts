/**
 * The drain's reads and writes: a product's queue in serve order, and the intent that gives a
 * waiting order its units. Every fill is guarded by the units on hand, the queue entry's exact
 * remaining count (two drains never fill the same units) and the catalog revision whose mass
 * packed it.
 *
 * Size by construction: a fill of up to FILL_LINES lines (2 items a line, the shipment and the
 * restock's reference) is one transaction; a larger one commits in parts of FILL_LINES lines
 * with a PartItem each, and the caller packs the parts together (SPEC rule 2).
 */
import type { PlannedFill, QueueEntry } from '../domain/allocation.js';
import type { Product, Quantities } from '../domain/model.js';
import type { OrderId } from '../domain/order-id.js';
import type { ShipmentEvent } from '../domain/order-record.js';
import { productKey, WAIT_PREFIX } from './keys.js';
import { markOrderForSweeper } from './items/order-item.js';
import { putPart } from './items/part-item.js';
import { fillBackorder } from './items/product-item.js';
import { putPartsRef, putShipmentRef } from './items/restock-item.js';
import { putShipment } from './items/shipment-item.js';
import { fillWait, waitFromItem } from './items/wait-item.js';
import { queryItems } from './query.js';
import { chunk, commit, MAX_TRANSACTION_ITEMS, type TransactionItem } from './transactions.js';

/** Lines one fill transaction holds: 2 items a line, plus the shipment and the restock's reference. */
const FILL_LINES = Math.floor((MAX_TRANSACTION_ITEMS - 2) / 2);
/** Lines of a part: 2 items a line, the PartItem, and (first part) the order's mark and the restock's note. */
const PART_LINES = Math.floor((MAX_TRANSACTION_ITEMS - 3) / 2);

/**
 * The product's waiting orders in serve order, enough of them to use `units` units (a drain
 * never needs more). Strongly consistent, on the base table: FIFO decisions are made on it.
 */
export async function readQueue(productId: number, units: number): Promise<QueueEntry[]> {
  const entries: QueueEntry[] = [];
  let covered = 0;
  const queue = queryItems({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
    ExpressionAttributeValues: { ':pk': productKey(productId).pk, ':w': WAIT_PREFIX },
    ConsistentRead: true,
    Limit: 100,
  });
  for await (const item of queue) {
    const entry = waitFromItem(item);
    entries.push(entry);
    covered += entry.remaining;
    if (covered >= units) break;
  }
  return entries;
}

export interface FillCommit {
  fill: PlannedFill;
  orderId: OrderId;
  /** The catalog data the fill was planned and packed with. */
  products: Map<number, Pick<Product, 'rev' | 'mass_g'>>;
  /** The request filling (a restock key or a sweep id): parts are recorded under it. */
  requestId: string;
  /** All the fill's units packed, stored when the fill fits one transaction. */
  shipment: ShipmentEvent;
  /** The restock whose answer lists the shipment. */
  restockKey?: string;
  /** Commit as unpacked parts even if the fill fits one transaction (to pack with earlier parts). */
  inParts?: boolean;
  /** When the sweeper should pack the parts, should the request die before it does. */
  partsDueAt: string;
}

export type FillOutcome =
  | { kind: 'filled' }
  /** Nothing was written: stock or the queue moved; plan again. */
  | { kind: 'stale' }
  /**
   * Too many lines for one transaction: `committed` parts were written as unpacked units (pack
   * them now); `stale` when a later part lost a race and the rest of the fill was not written.
   */
  | { kind: 'in-parts'; stale: boolean };

export async function commitFill(commitment: FillCommit): Promise<FillOutcome> {
  const { fill, products } = commitment;
  const lineItems = (lines: PlannedFill['lines']): TransactionItem[] =>
    lines.flatMap((l) => [
      fillBackorder(l.product_id, l.quantity, products.get(l.product_id)!.rev),
      fillWait(l.product_id, fill.queueKey, l.quantity, l.remainingBefore),
    ]);
  if (!commitment.inParts && fill.lines.length <= FILL_LINES) {
    const result = await commit([
      ...lineItems(fill.lines),
      putShipment(fill.orderKey, commitment.orderId, commitment.shipment),
      ...(commitment.restockKey
        ? [putShipmentRef(commitment.restockKey, { orderKey: fill.orderKey, eventId: commitment.shipment.eventId })]
        : []),
    ]);
    return result.ok ? { kind: 'filled' } : { kind: 'stale' };
  }
  let committed = 0;
  for (const [n, lines] of chunk(fill.lines, PART_LINES).entries()) {
    const first =
      n === 0
        ? [
            markOrderForSweeper(fill.orderKey, commitment.partsDueAt),
            ...(commitment.restockKey ? [putPartsRef(commitment.restockKey, fill.orderKey)] : []),
          ]
        : [];
    const units: Quantities = new Map(lines.map((l) => [l.product_id, l.quantity]));
    const result = await commit([
      ...lineItems(lines),
      putPart(fill.orderKey, {
        partId: `${commitment.requestId}#${commitment.shipment.eventId}#${n}`,
        requestId: commitment.requestId,
        units,
        masses: new Map(lines.map((l) => [l.product_id, products.get(l.product_id)!.mass_g])),
      }),
      ...first,
    ]);
    if (!result.ok) return committed === 0 ? { kind: 'stale' } : { kind: 'in-parts', stale: true };
    committed++;
  }
  return { kind: 'in-parts', stale: false };
}
