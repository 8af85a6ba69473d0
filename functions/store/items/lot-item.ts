/**
 * LotItem: PRODUCT#<id> / LOT#<lot>. What is fixed about a named lot (SPEC v2 "Lots and expiry"):
 * its expiry, set by the restock that first names it, and whether it was recalled; and its
 * units restocked so far. The product's own item keeps the units on hand per lot; this item
 * outlives them (a lot used up may be recalled later, and must be refused on a restock).
 *
 * A restock plans on the LotItems it read, and each write is conditioned on what it read: a lot
 * it saw as new must still be new, a lot it saw must still not be recalled (its expiry never
 * changes once set). A lost race fails the restock whole, which reads and plans again.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { KnownLot } from '../../domain/lots.js';
import { lotKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';

export interface LotRecord extends KnownLot {
  productId: number;
  lot: string;
  restocked: number;
}

export function lotFromItem(item: Record<string, unknown>): LotRecord {
  return {
    productId: Number(item.product_id),
    lot: String(item.lot),
    expiresAt: typeof item.expires_at === 'string' ? item.expires_at : null,
    recalled: item.recalled === true,
    restocked: Number(item.restocked ?? 0),
  };
}

/** Units of a lot restocked: the lot is created with its expiry, or was seen as it is and not recalled. */
export function restockLot(
  productId: number,
  lot: string,
  quantity: number,
  seen: KnownLot | undefined,
  expiresAt: string | null,
): TransactionItem {
  const sets = ['product_id = :p', 'lot = :l', 'recalled = if_not_exists(recalled, :f)'];
  const values: Record<string, unknown> = { ':p': productId, ':l': lot, ':f': false, ':q': quantity };
  if (!seen && expiresAt !== null) {
    sets.push('expires_at = :e');
    values[':e'] = expiresAt;
  }
  return {
    Update: {
      TableName: tableName(),
      Key: lotKey(productId, lot),
      UpdateExpression: `SET ${sets.join(', ')} ADD restocked :q`,
      ConditionExpression: seen ? 'attribute_exists(pk) AND recalled = :f' : 'attribute_not_exists(pk)',
      ExpressionAttributeValues: values,
    },
  };
}
