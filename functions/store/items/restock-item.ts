/**
 * RestockItem: RESTOCK#<key> / RESTOCK, the idempotency record of one restock (key: the
 * Idempotency-Key header, `event:<id>` for EventBridge, or a generated one). Beside it,
 * RESTOCK#<key> / REF#<eventId> items name each shipment the restock caused, so a replay
 * rebuilds the first answer with one Query however many orders it filled.
 *
 * Stock lands in parts of at most STOCK_PART_PRODUCTS products (one transaction each, with the
 * record); `parts_applied.<n>` marks part n, so a resumed restock applies each part once.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { ResolvedRestockLine } from '../../domain/lots.js';
import type { Quantities } from '../../domain/model.js';
import { attentionAttributes, restockKey, restockPartsRefKey, restockRefKey } from '../keys.js';
import { MAX_TRANSACTION_ITEMS, type TransactionItem } from '../transactions.js';
import { fromQuantityMap, toQuantityMap } from './order-item.js';

/** Keys are remembered at least 24 hours (SPEC); TTL deletion may lag, so 48 h is kept. */
export const RESTOCK_RECORD_TTL_SECONDS = 48 * 3600;

/**
 * Items per stock transaction beside the record and the ledger's write: one per product, one per
 * named lot (its LotItem).
 */
export const STOCK_PART_ITEMS = MAX_TRANSACTION_ITEMS - 2;

export interface RestockRecord {
  key: string;
  /** Units per product (all lots). */
  lines: Quantities;
  /** Units per product and lot, sorted by product then lot; what a replay must match. */
  lots: ResolvedRestockLine[];
  status: 'applying' | 'done';
  /** Epoch ms until which the request that owns the restock may still be at work. */
  leaseUntil: number;
  /** The answer's `draining`, once done. */
  draining: boolean;
  createdAt: string;
}

export interface StockProgress {
  partsTotal: number;
  partsApplied: Set<number>;
}

export interface ShipmentRef {
  orderKey: string;
  eventId: string;
}

export function restockFromItem(item: Record<string, unknown>): RestockRecord {
  return {
    key: String(item.restock_key),
    lines: fromQuantityMap(item.lines),
    lots: Array.isArray(item.lots)
      ? (item.lots as Array<Record<string, unknown>>).map((l) => ({
          product_id: Number(l.p),
          lot: typeof l.l === 'string' ? l.l : null,
          quantity: Number(l.q),
          expiresAt: typeof l.e === 'string' ? l.e : null,
        }))
      : [...fromQuantityMap(item.lines)].map(([product_id, quantity]) => ({
          product_id,
          lot: null,
          quantity,
          expiresAt: null,
        })),
    status: item.status === 'done' ? 'done' : 'applying',
    leaseUntil: Number(item.lease_until ?? 0),
    draining: Boolean(item.draining),
    createdAt: String(item.created_at),
  };
}

export function stockProgressFromItem(item: Record<string, unknown>): StockProgress {
  return {
    partsTotal: Number(item.parts_total),
    partsApplied: new Set(Object.keys((item.parts_applied ?? {}) as object).map(Number)),
  };
}

/** A REF item names one shipment, or (a batch of fills) several in `refs`. */
export function refsFromItem(item: Record<string, unknown>): ShipmentRef[] {
  if (Array.isArray(item.refs)) {
    return (item.refs as Array<Record<string, unknown>>).map((r) => ({
      orderKey: String(r.o),
      eventId: String(r.e),
    }));
  }
  return [{ orderKey: String(item.order_key), eventId: String(item.event_id) }];
}

/**
 * A fill in parts names its order in the restock's partition, so that whoever finishes a restock
 * whose request died packs the parts it left (see restock-store `getRestock`).
 */
export function putPartsRef(key: string, orderKey: string, nowMs = Date.now()): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...restockPartsRefKey(key, orderKey),
        order_key: orderKey,
        expires_at: Math.floor(nowMs / 1000) + RESTOCK_RECORD_TTL_SECONDS,
      },
    },
  };
}

/**
 * Created with the first part of stock: `attribute_not_exists` makes a replay change nothing.
 * Created `done` when the transaction itself proves that no drain must follow.
 */
export function putNewRestock(record: RestockRecord, partsTotal: number, nowMs = Date.now()): TransactionItem {
  const key = restockKey(record.key);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...key,
        restock_key: record.key,
        lines: toQuantityMap(record.lines),
        lots: record.lots.map((l) => ({ p: l.product_id, l: l.lot, q: l.quantity, e: l.expiresAt })),
        status: record.status,
        parts_total: partsTotal,
        parts_applied: { '0': true },
        lease_until: record.leaseUntil,
        draining: record.draining,
        created_at: record.createdAt,
        expires_at: Math.floor(nowMs / 1000) + RESTOCK_RECORD_TTL_SECONDS,
        // If this request dies, the sweeper finishes it once the lease is over.
        ...(record.status === 'applying' ? attentionAttributes(key.pk, new Date(record.leaseUntil).toISOString()) : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Each further part of stock is applied once: the part's flag is the guard. */
export function markStockPartApplied(key: string, part: number): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: restockKey(key),
      UpdateExpression: 'SET parts_applied.#n = :t',
      ConditionExpression: 'attribute_not_exists(parts_applied.#n)',
      ExpressionAttributeNames: { '#n': String(part) },
      ExpressionAttributeValues: { ':t': true },
    },
  };
}

/**
 * The shipments of one batch of fills, in one item keyed by the first: a batch costs one item
 * for the restock's answer, not one per order. At most MAX_TRANSACTION_ITEMS refs of at most
 * 129 + 40 bytes each: far under DynamoDB's 400 KB item limit.
 */
export function putShipmentRefs(key: string, refs: ShipmentRef[], nowMs = Date.now()): TransactionItem {
  if (refs.length === 1) return putShipmentRef(key, refs[0]!, nowMs);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...restockRefKey(key, refs[0]!.eventId),
        refs: refs.map((r) => ({ o: r.orderKey, e: r.eventId })),
        expires_at: Math.floor(nowMs / 1000) + RESTOCK_RECORD_TTL_SECONDS,
      },
    },
  };
}

export function putShipmentRef(key: string, ref: ShipmentRef, nowMs = Date.now()): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...restockRefKey(key, ref.eventId),
        order_key: ref.orderKey,
        event_id: ref.eventId,
        expires_at: Math.floor(nowMs / 1000) + RESTOCK_RECORD_TTL_SECONDS,
      },
    },
  };
}
