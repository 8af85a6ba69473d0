/**
 * LotItem: PRODUCT#<id> / LOT#<lot>. What is fixed about a named lot (SPEC v2 "Lots and expiry"):
 * its expiry, set by the restock that first names it, and whether it was recalled; its units
 * restocked (counted by the restocks), shipped and written off (counted by the stream's
 * follower, a moment after they commit). The product's own item keeps the units on hand per lot;
 * this item outlives them (a lot used up may be recalled later, and must be refused on a restock).
 *
 * A restock plans on the LotItems it read, and each write is conditioned on what it read: a lot
 * it saw as new must still be new, a lot it saw must still not be recalled (its expiry never
 * changes once set) nor, in the transaction that creates the restock, expired by the time it is
 * sent. A lost race fails the restock whole, which reads and plans again.
 * A lot that expires carries a mark in the `attention` index due at its expiry: the sweeper then
 * writes off its units (SPEC: within one sweeper period), and removes the mark only with the proof
 * that none is left on hand. Every restock of the lot sets the mark again, so units that still
 * land in it once it has expired (a restock checked just before, or by a clock running behind)
 * are written off by the next sweep.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { KnownLot } from '../../domain/lots.js';
import { attentionAttributes, lotKey, recallKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';

export interface LotRecord extends KnownLot {
  productId: number;
  lot: string;
  restocked: number;
  shipped: number;
  writtenOff: number;
}

export function lotFromItem(item: Record<string, unknown>): LotRecord {
  return {
    productId: Number(item.product_id),
    lot: String(item.lot),
    expiresAt: typeof item.expires_at === 'string' ? item.expires_at : null,
    recalled: item.recalled === true,
    restocked: Number(item.restocked ?? 0),
    shipped: Number(item.shipped ?? 0),
    writtenOff: Number(item.written_off ?? 0),
  };
}

/**
 * Units of a lot restocked: the lot is created with its expiry, or was seen as it is and not
 * recalled; with `now` (the transaction's time), a seen lot must not have expired by then either
 * (the first part of a restock: its failure changes nothing, and the restock is refused). A lot
 * that expires gets its sweeper mark, again if the sweeper cleared it.
 */
export function restockLot(
  productId: number,
  lot: string,
  quantity: number,
  seen: KnownLot | undefined,
  expiresAt: string | null,
  now?: string,
): TransactionItem {
  const key = lotKey(productId, lot);
  const sets = ['product_id = :p', 'lot = :l', 'recalled = if_not_exists(recalled, :f)'];
  const values: Record<string, unknown> = { ':p': productId, ':l': lot, ':f': false, ':q': quantity };
  const conditions = seen ? ['attribute_exists(pk)', 'recalled = :f'] : ['attribute_not_exists(pk)'];
  if (!seen && expiresAt !== null) {
    sets.push('expires_at = :e');
    values[':e'] = expiresAt;
  }
  if (seen && now !== undefined) {
    // ISO strings of one format (domain normalizeExpiry) compare as the instants they name.
    conditions.push('(attribute_not_exists(expires_at) OR expires_at > :now)');
    values[':now'] = now;
  }
  // The lot's own expiry: a seen lot keeps the one its first restock fixed.
  const expiry = seen ? seen.expiresAt : expiresAt;
  if (expiry !== null) {
    const mark = attentionAttributes(key.pk, expiry);
    sets.push('attention_pk = :apk', 'attention_sk = :ask');
    Object.assign(values, { ':apk': mark.attention_pk, ':ask': mark.attention_sk });
  }
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')} ADD restocked :q`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Units of a later part of a restock that arrive in a lot and are written off at once (domain
 * `planLaterPart`): counted as restocked here; their `write_off` movement, committed with them,
 * is counted in `written_off` by the stream's follower, as every write-off but a recall's. The
 * condition is what the plan read: a lot seen recalled stays so; a lot whose expiry was later
 * than the units' must still not be recalled (else the units are planned again, as recalled).
 * No sweeper mark: none of these units is on hand.
 */
export function restockWrittenOffLot(
  productId: number,
  lot: string,
  quantity: number,
  reason: 'recalled' | 'other',
): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: lotKey(productId, lot),
      UpdateExpression: 'ADD restocked :q',
      ConditionExpression: 'attribute_exists(pk) AND recalled = :r',
      ExpressionAttributeValues: { ':q': quantity, ':r': reason === 'recalled' },
    },
  };
}

/**
 * The recall (SPEC v2): the lot is recalled for good (a restock of it is refused from now on),
 * once: the RecallItem's `attribute_not_exists` makes a second recall change nothing, and its
 * insert in the stream is the LotRecalled event. No mark is needed any more: its units leave with
 * the recall.
 */
export function recallLotItems(
  productId: number,
  lot: string,
  at: string,
  reason: string | null,
  writtenOff: number,
): TransactionItem[] {
  return [
    {
      Put: {
        TableName: tableName(),
        Item: { ...recallKey(productId, lot), product_id: productId, lot, at, reason },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName(),
        Key: lotKey(productId, lot),
        // The units it writes off are counted here, at once (the follower skips recall write-offs),
        // so the recall's answer shows them.
        UpdateExpression:
          'SET recalled = :t, recalled_at = :at, recall_reason = :r ADD written_off :q REMOVE attention_pk, attention_sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':t': true, ':at': at, ':r': reason, ':q': writtenOff },
      },
    },
  ];
}

/** The recall as recorded: when, and the reason given. */
export interface RecallRecord {
  at: string;
  reason: string | null;
}

export function recallFromItem(item: Record<string, unknown>): RecallRecord {
  return { at: String(item.at), reason: typeof item.reason === 'string' ? item.reason : null };
}
