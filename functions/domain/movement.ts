/**
 * The movement ledger (SPEC v2 "Write-offs and the movement ledger"), pure.
 *
 * A movement is one change of one product's units on hand (per lot), numbered by the product's
 * sequence: `seq` counts the product's movements, so they are in commit order and summing them
 * gives the units on hand at every step (`on_hand_after`). Every stock write pins the sequence it
 * read, which is what makes `on_hand_after` exact.
 */
import type { OrderId } from './order-id.js';

export type MovementKind = 'restock' | 'shipment' | 'write_off';

export const WRITE_OFF_REASONS = [
  'damaged',
  'expired',
  'recalled',
  'temperature_excursion',
  'count_correction',
  'other',
] as const;
export type WriteOffReason = (typeof WRITE_OFF_REASONS)[number];

/** What caused a movement, as stored (a shipment's package ids are derived from its event on read). */
export type MovementCause =
  | { kind: 'restock'; restockKey: string }
  | { kind: 'shipment'; orderId: OrderId; orderKey: string; requestId: string; eventId?: string }
  | { kind: 'write_off'; reason: WriteOffReason; writeOffKey: string };

/** One movement as the store keeps it: `quantity` is signed (+ into stock, - out of it). */
export interface MovementRecord {
  productId: number;
  seq: number;
  at: string;
  lot: string | null;
  quantity: number;
  onHandAfter: number;
  cause: MovementCause;
}

/** SPEC `Movement`. */
export interface Movement {
  movement_id: string;
  at: string;
  kind: MovementKind;
  product_id: number;
  lot: string | null;
  quantity: number;
  on_hand_after: number;
  ref:
    | { restock_key: string }
    | { order_id: OrderId; shipment_ids: string[] }
    | { reason: WriteOffReason; write_off_key: string };
}

/** A movement's id: the product and its place in the product's sequence (unique, stable). */
export const movementId = (productId: number, seq: number) => `${productId}-${seq}`;

/**
 * The movements of one stock write on one product, numbered from `seenSeq + 1`, each with the
 * units on hand right after it, starting from `seenOnHand` (what the write's guard pins).
 */
export function numberMovements(
  productId: number,
  seenSeq: number,
  seenOnHand: number,
  at: string,
  changes: { lot: string | null; quantity: number; cause: MovementCause }[],
): MovementRecord[] {
  let onHand = seenOnHand;
  return changes.map((change, i) => {
    onHand += change.quantity;
    return {
      productId,
      seq: seenSeq + 1 + i,
      at,
      lot: change.lot,
      quantity: change.quantity,
      onHandAfter: onHand,
      cause: change.cause,
    };
  });
}

/** SPEC `Movement`, given the packages of a shipment movement (those that carried its product). */
export function toMovement(m: MovementRecord, shipmentIds: string[] = []): Movement {
  const base = {
    movement_id: movementId(m.productId, m.seq),
    at: m.at,
    kind: m.cause.kind,
    product_id: m.productId,
    lot: m.lot,
    quantity: m.quantity,
    on_hand_after: m.onHandAfter,
  };
  switch (m.cause.kind) {
    case 'restock':
      return { ...base, ref: { restock_key: m.cause.restockKey } };
    case 'shipment':
      return { ...base, ref: { order_id: m.cause.orderId, shipment_ids: shipmentIds } };
    case 'write_off':
      return { ...base, ref: { reason: m.cause.reason, write_off_key: m.cause.writeOffKey } };
  }
}
