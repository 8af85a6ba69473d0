/**
 * MovementItem: PRODUCT#<id> / MOVE#<first seq>. The movements one stock write made on one
 * product, committed in the same transaction as the write (SPEC v2: "committed with the change
 * itself"). One item per product per write, not one per movement: a batch of 49 fills of one
 * product adds one item to its transaction, not 49, so the drain keeps its batch size.
 *
 * Size by construction: a write holds at most 49 fills (or 1000 restock/write-off lines, each
 * its own product), and a movement costs under 300 bytes with an order id of 128 characters.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { MovementCause, MovementRecord, WriteOffReason } from '../../domain/movement.js';
import type { OrderId } from '../../domain/order-id.js';
import { movementKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';

interface StoredMovement {
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
      // A sequence number is used once: the product's `seq` guard makes this true, this says so.
      ConditionExpression: 'attribute_not_exists(pk)',
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
  const base = { lot: m.lot, quantity: m.quantity, on_hand_after: m.onHandAfter, kind: m.cause.kind };
  switch (m.cause.kind) {
    case 'restock':
      return { ...base, restock_key: m.cause.restockKey };
    case 'shipment':
      return {
        ...base,
        order_id: m.cause.orderId,
        order_key: m.cause.orderKey,
        request_id: m.cause.requestId,
        ...(m.cause.eventId === undefined ? {} : { event_id: m.cause.eventId }),
      };
    case 'write_off':
      return { ...base, reason: m.cause.reason, write_off_key: m.cause.writeOffKey };
  }
}

function causeOf(m: StoredMovement): MovementCause {
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
