/**
 * RestockItem: RESTOCK#<key> / RESTOCK, the idempotency record of one restock (key: the
 * Idempotency-Key header, `event:<id>` for EventBridge, or a generated one). Beside it,
 * RESTOCK#<key> / REF#<eventId> items name each shipment the restock caused, so a replay
 * rebuilds the first answer with one Query however many orders it filled.
 */
import type { Quantities } from '../../domain/model.js';
import { tableName } from '../../commons/dynamodb.js';
import { attentionAttributes, restockKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';
import { fromQuantityMap, toQuantityMap } from './order-item.js';

/** Keys are remembered at least 24 hours (SPEC); TTL deletion may lag, so 48 h is kept. */
export const RESTOCK_RECORD_TTL_SECONDS = 48 * 3600;

export interface RestockRecord {
  key: string;
  lines: Quantities;
  status: 'applying' | 'done';
  chunkCount: number;
  chunksApplied: Set<number>;
  leaseUntil: number;
  draining: boolean;
  createdAt: string;
}

export interface ShipmentRef {
  orderKey: string;
  eventId: string;
}

export function restockFromItem(item: Record<string, unknown>): RestockRecord {
  return {
    key: String(item.restock_key),
    lines: fromQuantityMap(item.lines),
    status: item.status === 'done' ? 'done' : 'applying',
    chunkCount: Number(item.chunk_count),
    chunksApplied: new Set(Object.keys((item.chunks_applied ?? {}) as object).map(Number)),
    leaseUntil: Number(item.lease_until ?? 0),
    draining: Boolean(item.draining),
    createdAt: String(item.created_at),
  };
}

export function refFromItem(item: Record<string, unknown>): ShipmentRef {
  return { orderKey: String(item.order_key), eventId: String(item.event_id) };
}

/** Created with the first chunk of stock: `attribute_not_exists` makes a replay change nothing. */
export function putNewRestock(record: RestockRecord, nowMs: number): TransactionItem {
  const key = restockKey(record.key);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...key,
        restock_key: record.key,
        lines: toQuantityMap(record.lines),
        status: 'applying',
        chunk_count: record.chunkCount,
        chunks_applied: Object.fromEntries([...record.chunksApplied].map((c) => [String(c), true])),
        lease_until: record.leaseUntil,
        created_at: record.createdAt,
        expires_at: Math.floor(nowMs / 1000) + RESTOCK_RECORD_TTL_SECONDS,
        // If this request dies, the sweeper finishes it once the lease is over.
        ...attentionAttributes(key.pk, new Date(record.leaseUntil).toISOString()),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Each further chunk of stock is applied once: the chunk's flag is the guard. */
export function markChunkApplied(key: string, chunk: number): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: restockKey(key),
      UpdateExpression: 'SET chunks_applied.#c = :t',
      ConditionExpression: 'attribute_not_exists(chunks_applied.#c)',
      ExpressionAttributeNames: { '#c': String(chunk) },
      ExpressionAttributeValues: { ':t': true },
    },
  };
}

export function putShipmentRef(key: string, ref: ShipmentRef, nowMs: number): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        pk: restockKey(key).pk,
        sk: `REF#${ref.eventId}`,
        order_key: ref.orderKey,
        event_id: ref.eventId,
        expires_at: Math.floor(nowMs / 1000) + RESTOCK_RECORD_TTL_SECONDS,
      },
    },
  };
}
