/**
 * WriteItem: WRITE#<id> / WRITE. What one stock write did to each product it changed, committed
 * in the same transaction as the change (SPEC v2: movements are "committed with the change
 * itself"): per product, its movements in order, with their lots, signed quantities and causes.
 * Each product's update in that transaction advances its `seq` by its movements and names this
 * item (`last_write`); the sequencer numbers them from the product's change on the stream.
 *
 * Kept 7 days (TTL), well past the stream's 24 hours: by then its movements are listed.
 * Size by construction: at most 100 transaction items, so at most 100 movements of at most
 * about 600 bytes each.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { MovementCause } from '../../domain/movement.js';
import { TTL_ATTRIBUTE } from '../table-definition.js';
import { writeKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';
import { causeOf, type StoredCause, storedCause } from './movement-item.js';

export const WRITE_RECORD_TTL_SECONDS = 7 * 24 * 3600;

export interface WrittenMovement {
  productId: number;
  lot: string | null;
  /** Signed: + into stock, - out of it. */
  quantity: number;
  cause: MovementCause;
}

type StoredWrite = StoredCause & { product_id: number; lot: string | null; quantity: number };

export function putWrite(writeId: string, at: string, movements: WrittenMovement[]): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...writeKey(writeId),
        at,
        movements: movements.map(
          (m): StoredWrite => ({ product_id: m.productId, lot: m.lot, quantity: m.quantity, ...storedCause(m.cause) }),
        ),
        [TTL_ATTRIBUTE]: Math.floor(Date.parse(at) / 1000) + WRITE_RECORD_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export function writeFromItem(item: Record<string, unknown>): { at: string; movements: WrittenMovement[] } {
  return {
    at: String(item.at),
    movements: (item.movements as StoredWrite[]).map((m) => ({
      productId: Number(m.product_id),
      lot: m.lot ?? null,
      quantity: Number(m.quantity),
      cause: causeOf(m),
    })),
  };
}
