/**
 * MovementItem: PRODUCT#<id> / MOVE#<first seq>. The movements one stock write made on one
 * product, numbered in commit order with the units on hand after each: written by the sequencer
 * (store/ledger-sequencer.ts) from the product's change on the table's stream and the WriteItem
 * committed with it. One item per product per write (a batch of 49 fills of one product is one
 * item), so a product's movements are one Query in sequence order.
 *
 * Size by construction: a write holds at most 100 movements of one product (one per transaction
 * item), and a movement costs under 600 bytes with the longest ids.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { MovementCause, MovementRecord, WriteOffReason } from '../../domain/movement.js';
import type { OrderId } from '../../domain/order-id.js';
import { movementKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';

export interface StoredMovement {
  lot: string | null;
  quantity: number;
  on_hand_after: number;
  kind: MovementCause['kind'];
  restock_key?: string;
  order_id?: OrderId;
  order_key?: string;
  request_id?: string;
  event_id?: string;
  reason?: WriteOffReason;
  write_off_key?: string;
}

/** One item for the movements of one write (all of one product, consecutive `seq`). */
export function putMovements(movements: MovementRecord[]): TransactionItem {
  const first = movements[0];
  if (!first) throw new Error('putMovements needs at least one movement');
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...movementKey(first.productId, first.seq),
        product_id: first.productId,
        first_seq: first.seq,
        at: first.at,
        movements: movements.map(toStored),
      },
      // Written again when the stream delivers a change twice: the same content, so no condition.
    },
  };
}

export function movementsFromItem(item: Record<string, unknown>): MovementRecord[] {
  const productId = Number(item.product_id);
  const firstSeq = Number(item.first_seq);
  const at = String(item.at);
  return (item.movements as StoredMovement[]).map((m, i) => ({
    productId,
    seq: firstSeq + i,
    at,
    lot: m.lot ?? null,
    quantity: Number(m.quantity),
    onHandAfter: Number(m.on_hand_after),
    cause: causeOf(m),
  }));
}

function toStored(m: MovementRecord): StoredMovement {
  return { lot: m.lot, quantity: m.quantity, on_hand_after: m.onHandAfter, ...storedCause(m.cause) };
}

/** A movement's cause as stored, flat (also in WriteItems). */
export type StoredCause = Omit<StoredMovement, 'lot' | 'quantity' | 'on_hand_after'>;

export function storedCause(cause: MovementCause): StoredCause {
  switch (cause.kind) {
    case 'restock':
      return { kind: 'restock', restock_key: cause.restockKey };
    case 'shipment':
      return {
        kind: 'shipment',
        order_id: cause.orderId,
        order_key: cause.orderKey,
        request_id: cause.requestId,
        ...(cause.eventId === undefined ? {} : { event_id: cause.eventId }),
      };
    case 'write_off':
      return { kind: 'write_off', reason: cause.reason, write_off_key: cause.writeOffKey };
  }
}

export function causeOf(m: StoredCause): MovementCause {
  switch (m.kind) {
    case 'restock':
      return { kind: 'restock', restockKey: String(m.restock_key) };
    case 'shipment':
      return {
        kind: 'shipment',
        orderId: m.order_id as OrderId,
        orderKey: String(m.order_key),
        requestId: String(m.request_id),
        ...(m.event_id === undefined ? {} : { eventId: String(m.event_id) }),
      };
    case 'write_off':
      return { kind: 'write_off', reason: m.reason as WriteOffReason, writeOffKey: String(m.write_off_key) };
  }
}
