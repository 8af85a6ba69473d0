/**
 * A lot's view, its recall, and its expiry (SPEC v2 "Lots and expiry").
 *
 * - The LotView lists every package that carried the lot, oldest first, from the LOTSHIP items
 *   the stream's follower writes (store/lot-store.ts): like the ledger, it shows a shipment a
 *   moment after it commits. Its counts come from the LotItem (restocked at once; shipped and
 *   written off as the follower counts them) and the product (on hand, at once).
 * - A recall writes off every unit of the lot on hand (reason `recalled`) and marks the lot
 *   recalled for good, in one transaction; recalling again changes nothing and answers the view.
 * - The sweeper writes off a lot's units once it has expired (reason `expired`), as a write-off
 *   whose key names the lot and its state, so a sweep that runs twice writes off once, and removes
 *   the lot's mark only once no unit of it is on hand.
 */
import { InvalidValueError, NotFoundError } from '../domain/errors.js';
import { textCursor } from '../domain/list-cursor.js';
import { LOT_PAGE, type LotPackage, type LotView, packagesOfLot } from '../domain/lot-view.js';
import { clearLotMark, commitRecall, lotShipments, readLot, type StoredLot } from '../store/lot-store.js';
import { rememberProducts } from './catalog-cache.js';
import { writeOff } from './write-off.js';

/** Where a page resumes: after the event at `after`, skipping `skip` packages of the next one. */
const CURSOR = textCursor('l1.', /^[^|]*\|(0|[1-9][0-9]{0,5})$/);
const EVENTS_PER_READ = 50;

export async function lotView(productId: number, lot: string, cursor?: string): Promise<LotView> {
  const stored = await readLot(productId, lot);
  if (!stored) throw new NotFoundError(`product ${productId} has no lot ${lot}`);
  return viewOf(stored, cursor);
}

async function viewOf(stored: StoredLot, cursor?: string): Promise<LotView> {
  const { record, product } = stored;
  const [after, skipText] = cursor === undefined ? [undefined, '0'] : CURSOR.decode(cursor).split('|');
  let position = after === '' ? undefined : after;
  let skip = Number(skipText);
  const packages: LotPackage[] = [];
  let next: string | null = null;
  page: for (;;) {
    const read = await lotShipments(record.productId, record.lot, position, EVENTS_PER_READ);
    for (const shipment of read.shipments) {
      const all = packagesOfLot(record.productId, record.lot, shipment.orderId, shipment.event).slice(skip);
      const room = LOT_PAGE - packages.length;
      packages.push(...all.slice(0, room));
      if (all.length > room) {
        // The page ends inside this event: the next one skips what this one listed.
        next = CURSOR.encode(`${position ?? ''}|${skip + room}`);
        break page;
      }
      position = shipment.position;
      skip = 0;
      if (packages.length === LOT_PAGE) {
        next = CURSOR.encode(`${position}|0`);
        break page;
      }
    }
    if (!read.more) break;
  }
  // A page that ended exactly with the last event has nothing after it.
  if (next !== null && !(await hasMore(record.productId, record.lot, CURSOR.decode(next)))) next = null;
  return {
    product_id: record.productId,
    lot: record.lot,
    expires_at: record.expiresAt,
    recalled: record.recalled,
    restocked: record.restocked,
    on_hand: product.lots.find((l) => l.lot === record.lot)?.quantity ?? 0,
    shipped: record.shipped,
    written_off: record.writtenOff,
    shipments: packages,
    next_cursor: next,
  };
}

async function hasMore(productId: number, lot: string, decoded: string): Promise<boolean> {
  const [after, skip] = decoded.split('|');
  if (skip !== '0') return true;
  return (await lotShipments(productId, lot, after, 1)).shipments.length > 0;
}

const RECALL_ATTEMPTS = 5;

/** SPEC v2: recalling writes off the lot's units on hand and marks it recalled; again changes nothing. */
export async function recallLot(productId: number, lot: string, reason: string | null): Promise<LotView> {
  for (let attempt = 0; attempt < RECALL_ATTEMPTS; attempt++) {
    const stored = await readLot(productId, lot);
    if (!stored) throw new NotFoundError(`product ${productId} has no lot ${lot}`);
    if (stored.record.recalled) return viewOf(stored);
    const onHand = stored.product.lots.find((l) => l.lot === lot);
    const take =
      onHand && onHand.quantity > 0
        ? { lot, quantity: onHand.quantity, expiresAt: onHand.expiresAt, empties: true }
        : undefined;
    const outcome = await commitRecall(productId, lot, take, new Date().toISOString(), reason);
    if (outcome.kind === 'stale') rememberProducts(outcome.seen.values());
    else return lotView(productId, lot);
  }
  throw new Error(`recall of lot ${lot} of product ${productId}: its units kept moving`);
}

/** Passes of one sweep at an expired lot that restocks keep landing in; then the next sweep goes on. */
const EXPIRY_PASSES = 3;

/**
 * The sweeper found the lot's expiry mark due: once the lot has expired (never before, even in a
 * recovery sweep that takes every mark as due), its units on hand are written off as `expired`,
 * and the mark goes only with the proof that none is left: units that landed after the read (a
 * restock checked just before the lot expired, or by a clock running behind) are written off by
 * another pass. True when the lot is done with (its mark went).
 */
export async function expireLot(productId: number, lot: string, mark: string, now = Date.now()): Promise<boolean> {
  for (let pass = 0; pass < EXPIRY_PASSES; pass++) {
    const stored = await readLot(productId, lot);
    if (stored && stored.record.expiresAt !== null && Date.parse(stored.record.expiresAt) > now) return false;
    const units = stored?.product.lots.find((l) => l.lot === lot)?.quantity ?? 0;
    if (stored && units > 0) {
      try {
        await writeOff({
          key: expiryWriteOffKey(stored.record, units),
          lines: [{ product_id: productId, lot, quantity: units, reason: 'expired', note: null }],
        });
      } catch (error) {
        // Its units moved meanwhile (a write-off naming the lot): read them again.
        if (error instanceof InvalidValueError) continue;
        throw error;
      }
    }
    if (await clearLotMark(productId, lot, mark)) return true;
  }
  return false;
}

/**
 * An expiry write-off's idempotency key names the lot as the pass read it: its units restocked
 * (a count that only grows) and on hand. A pass retried on the same state writes off once; units
 * restocked since make another state, another write-off (the same key with other units would be
 * refused as a replay with another body).
 */
const expiryWriteOffKey = (lot: { productId: number; lot: string; restocked: number }, units: number) =>
  `expired:${lot.productId}/${lot.lot}/${lot.restocked}/${units}`;
