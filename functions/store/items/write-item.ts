/**
 * WriteItem: WRITE#<id> / WRITE. What one stock write did to each product it changed, committed
 * in the same transaction as the change (SPEC v2: movements are "committed with the change
 * itself"): per product, its movements in order, with their lots, signed quantities and causes.
 * Each product's update in that transaction advances its `seq` by its movements and names this
 * item (`last_write`); the sequencer numbers them from the product's change on the stream.
 *
 * Kept 7 days (TTL), well past the stream's 24 hours: by then its movements are listed.
 * Size by construction: a write names at most 100 causes (one order's, or one per fill of a
 * batch; each at most about 500 bytes), stored once each, and its movements (one per product,
 * lot and cause) point at them: at most about 2,100 movements (49 order lines of 41 lots each,
 * or a batch's fills plus 41 lots for each of its products) of at most about 110 bytes.
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

/** A movement as stored: its product, lot, signed quantity and the index of its cause in `causes`. */
type StoredWrite = { p: number; l: string | null; q: number; c: number };

export function putWrite(writeId: string, at: string, movements: WrittenMovement[]): TransactionItem {
  const causes = new Map<string, number>();
  const stored: StoredCause[] = [];
  const causeIndex = (cause: MovementCause) => {
    const text = JSON.stringify(storedCause(cause));
    let i = causes.get(text);
    if (i === undefined) {
      i = stored.push(storedCause(cause)) - 1;
      causes.set(text, i);
    }
    return i;
  };
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...writeKey(writeId),
        at,
        causes: stored,
        movements: movements.map(
          (m): StoredWrite => ({ p: m.productId, l: m.lot, q: m.quantity, c: causeIndex(m.cause) }),
        ),
        [TTL_ATTRIBUTE]: Math.floor(Date.parse(at) / 1000) + WRITE_RECORD_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export function writeFromItem(item: Record<string, unknown>): { at: string; movements: WrittenMovement[] } {
  const causes = (item.causes as StoredCause[]).map(causeOf);
  return {
    at: String(item.at),
    movements: (item.movements as StoredWrite[]).map((m) => ({
      productId: Number(m.p),
      lot: m.l ?? null,
      quantity: Number(m.q),
      cause: causes[Number(m.c)]!,
    })),
  };
}
