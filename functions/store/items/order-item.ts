/**
 * OrderItem: ORDER#<orderKey> / ORDER. What was requested, written once at creation; its parts,
 * shipments and unpacked units share the partition, so one Query reads the whole order.
 *
 * No write to it grows with the order's lines: a large creation advances one counter
 * (`parts_done`), and per-product totals are never stored (see domain/order-record.ts).
 */
import { tableName } from '../../commons/dynamodb.js';
import type { Quantities } from '../../domain/model.js';
import type { OrderId } from '../../domain/order-id.js';
import type { CreationProgress, OrderRecord } from '../../domain/order-record.js';
import type { OrderSummary } from '../../domain/order-summary.js';
import {
  attentionAttributes,
  OPEN_LIST_PREFIX,
  listOfPartition,
  type OrderList,
  orderKeyOf,
  orderListAttributes,
  priorityOfQueueKey,
} from '../keys.js';
import type { TransactionItem } from '../transactions.js';

type QuantityMap = Record<string, number>;

export function toQuantityMap(quantities: Quantities): QuantityMap {
  const out: QuantityMap = {};
  for (const [p, q] of quantities) out[String(p)] = q;
  return out;
}

export function fromQuantityMap(map: unknown): Quantities {
  const out: Quantities = new Map();
  for (const [p, q] of Object.entries((map ?? {}) as QuantityMap)) out.set(Number(p), Number(q));
  return out;
}

/** The order item alone; `unpacked` comes from its PART items (see order-store.ts). */
export function orderFromItem(item: Record<string, unknown>): Omit<OrderRecord, 'unpacked'> {
  const creation: CreationProgress | undefined =
    item.parts_total === undefined
      ? undefined
      : {
          partLines: Number(item.part_lines),
          partsDone: Number(item.parts_done),
          partsTotal: Number(item.parts_total),
        };
  return {
    orderId: item.order_id as OrderId,
    orderKey: String(item.order_key),
    createdAt: String(item.created_at),
    priority: priorityOfQueueKey(String(item.queue_key)),
    queueKey: String(item.queue_key),
    requested: fromQuantityMap(item.requested),
    ...(creation && creation.partsDone < creation.partsTotal ? { creation } : {}),
  };
}

/** The list the order item is filed in (SPEC v2 "Order lists"): open until it is settled. */
export function listOfItem(item: Record<string, unknown>): OrderList {
  return listOfPartition(String(item.list_pk ?? '')) ?? 'open';
}

/** The final summary of a settled order, as filed. */
export function settledSummaryOfItem(item: Record<string, unknown>): OrderSummary | undefined {
  return listOfItem(item) === 'open' ? undefined : (item.summary as OrderSummary);
}

/**
 * Files a settled order (fulfilled or cancelled, and packed) in its list with its final summary.
 * Conditioned on the order being open, so a repeat changes nothing; a settled order never changes
 * again, so the summary filed is final.
 */
export function fileSettledOrder(orderKey: string, queueKey: string, summary: OrderSummary): TransactionItem {
  const list: OrderList = summary.status === 'cancelled' ? 'cancelled' : 'fulfilled';
  const place = orderListAttributes(orderKey, queueKey, list);
  return {
    Update: {
      TableName: tableName(),
      Key: orderKeyOf(orderKey),
      UpdateExpression: 'SET list_pk = :p, list_sk = :s, summary = :summary',
      ConditionExpression: 'begins_with(list_pk, :open)',
      ExpressionAttributeValues: {
        ':p': place.list_pk,
        ':s': place.list_sk,
        ':summary': summary,
        ':open': OPEN_LIST_PREFIX,
      },
    },
  };
}

/** The cancellation the order item records (its units come from the CancelItems), if any. */
export function cancellationFromItem(
  item: Record<string, unknown>,
): { at: string; reason: string | null; parts: number } | undefined {
  if (typeof item.cancelled_at !== 'string') return undefined;
  return {
    at: item.cancelled_at,
    reason: typeof item.cancel_reason === 'string' ? item.cancel_reason : null,
    parts: Number(item.cancel_parts ?? 0),
  };
}

/**
 * A cancellation's part on the order item. The first part records when and why, once
 * (`attribute_not_exists(cancelled_at)`), and only once the creation is complete (every line is
 * in its queues); each later part advances the count it read, so no part is applied twice. A
 * cancellation in several parts marks the order for the sweeper (`dueAt`), which finishes it
 * should the request die in between.
 */
export function advanceCancellation(
  orderKey: string,
  partsDone: number,
  first?: { at: string; reason: string | null; dueAt?: string },
): TransactionItem {
  const key = orderKeyOf(orderKey);
  if (!first) {
    return {
      Update: {
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET cancel_parts = :next',
        ConditionExpression: 'cancel_parts = :done',
        ExpressionAttributeValues: { ':done': partsDone, ':next': partsDone + 1 },
      },
    };
  }
  const mark = first.dueAt ? attentionAttributes(key.pk, first.dueAt) : undefined;
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: `SET cancelled_at = :at, cancel_reason = :reason, cancel_parts = :one${mark ? ', attention_pk = :p, attention_sk = :s' : ''}`,
      ConditionExpression:
        'attribute_exists(pk) AND attribute_not_exists(cancelled_at) AND ' +
        '(attribute_not_exists(parts_total) OR parts_done = parts_total)',
      ExpressionAttributeValues: {
        ':at': first.at,
        ':reason': first.reason,
        ':one': 1,
        ...(mark ? { ':p': mark.attention_pk, ':s': mark.attention_sk } : {}),
      },
    },
  };
}

export interface NewOrderItem {
  orderId: OrderId;
  orderKey: string;
  createdAt: string;
  queueKey: string;
  requested: Quantities;
  /** Set when the creation needs several transactions. */
  creation?: CreationProgress;
  /** When the sweeper should finish a creation that was cut short. */
  attentionDueAt?: string;
  /** An order fulfilled by its creation alone is filed at once with its final summary; others are open. */
  fulfilled?: OrderSummary;
}

/** The order's first write: `attribute_not_exists` is what makes a replayed order_id change nothing. */
export function putNewOrder(order: NewOrderItem): TransactionItem {
  const key = orderKeyOf(order.orderKey);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...key,
        order_id: order.orderId,
        order_key: order.orderKey,
        created_at: order.createdAt,
        queue_key: order.queueKey,
        requested: toQuantityMap(order.requested),
        ...(order.creation
          ? {
              part_lines: order.creation.partLines,
              parts_done: order.creation.partsDone,
              parts_total: order.creation.partsTotal,
            }
          : {}),
        ...(order.attentionDueAt ? attentionAttributes(key.pk, order.attentionDueAt) : {}),
        ...orderListAttributes(order.orderKey, order.queueKey, order.fulfilled ? 'fulfilled' : 'open'),
        ...(order.fulfilled ? { summary: order.fulfilled } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** One more creation part allocated: the count is the guard, so no part is allocated twice. */
export function advanceCreation(orderKey: string, partsDone: number): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: orderKeyOf(orderKey),
      UpdateExpression: 'SET parts_done = :next',
      ConditionExpression: 'parts_done = :done',
      ExpressionAttributeValues: { ':done': partsDone, ':next': partsDone + 1 },
    },
  };
}

/**
 * The sweeper looks at the order after `dueAt`: a request that takes units for the order in
 * several transactions marks it first, so that if it dies the parts it left are still packed.
 */
export function markOrderForSweeper(orderKey: string, dueAt: string): TransactionItem {
  const key = orderKeyOf(orderKey);
  const mark = attentionAttributes(key.pk, dueAt);
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET attention_pk = :p, attention_sk = :s',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':p': mark.attention_pk, ':s': mark.attention_sk },
    },
  };
}

/** Packing a creation's units waits until every part is allocated (rule 2: one packing). */
export function creationAllocated(orderKey: string): TransactionItem {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: orderKeyOf(orderKey),
      ConditionExpression: 'attribute_not_exists(parts_total) OR parts_done = parts_total',
    },
  };
}
