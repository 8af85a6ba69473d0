/** Key builders of the single table (see table-definition.ts for the item list). */
import { type Priority, priorityOfRank, priorityRank } from '../domain/priority.js';
import { ATTENTION_SHARDS, ORDER_LIST_SHARDS } from './table-definition.js';

export const productKey = (productId: number) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' });
export const PRODUCT_PREFIX = 'PRODUCT#';
export const waitKey = (productId: number, queueKey: string) => ({
  pk: `PRODUCT#${productId}`,
  sk: `WAIT#${queueKey}`,
});
export const WAIT_PREFIX = 'WAIT#';
export const lotKey = (productId: number, lot: string) => ({ pk: `PRODUCT#${productId}`, sk: `LOT#${lot}` });
export const LOT_PREFIX = 'LOT#';
/** Zero-padded so a product's movements sort in sequence (commit) order. */
export const movementKey = (productId: number, firstSeq: number) => ({
  pk: `PRODUCT#${productId}`,
  sk: `MOVE#${firstSeq.toString().padStart(16, '0')}`,
});
export const MOVE_PREFIX = 'MOVE#';
export const writeKey = (writeId: string) => ({ pk: `WRITE#${writeId}`, sk: 'WRITE' });
export const writeOffKey = (key: string) => ({ pk: `WRITEOFF#${key}`, sk: 'WRITEOFF' });
export const orderKeyOf = (orderKey: string) => ({ pk: `ORDER#${orderKey}`, sk: 'ORDER' });
export const orderPartition = (orderKey: string) => `ORDER#${orderKey}`;
export const ORDER_PREFIX = 'ORDER#';
export const shipmentKey = (orderKey: string, eventId: string) => ({ pk: `ORDER#${orderKey}`, sk: `SHIP#${eventId}` });
export const SHIP_PREFIX = 'SHIP#';
export const partKey = (orderKey: string, partId: string) => ({ pk: `ORDER#${orderKey}`, sk: `PART#${partId}` });
export const PART_PREFIX = 'PART#';
export const cancelKey = (orderKey: string, part: number) => ({ pk: `ORDER#${orderKey}`, sk: `CANCEL#${part}` });
export const CANCEL_PREFIX = 'CANCEL#';
export const restockKey = (key: string) => ({ pk: `RESTOCK#${key}`, sk: 'RESTOCK' });
export const RESTOCK_PREFIX = 'RESTOCK#';
export const restockRefKey = (key: string, eventId: string) => ({ pk: `RESTOCK#${key}`, sk: `REF#${eventId}` });
export const REF_PREFIX = 'REF#';
export const restockPartsRefKey = (key: string, orderKey: string) => ({
  pk: `RESTOCK#${key}`,
  sk: `PARTS#${orderKey}`,
});
export const PARTS_REF_PREFIX = 'PARTS#';
export const productCounterKey = { pk: 'COUNTER#product', sk: 'COUNTER' };

export const CATALOG_PARTITION = 'CATALOG';
/** Zero-padded so the catalog index lists products in id order (2^53 - 1 has 16 digits). */
export const catalogSortKey = (productId: number) => productId.toString().padStart(16, '0');

/** Work the sweeper must look at, due at `dueAt` (ISO time): sharded by a stable hash of the item key. */
export function attentionAttributes(itemPk: string, dueAt: string) {
  return { attention_pk: `ATTN#${shardOf(itemPk, ATTENTION_SHARDS)}`, attention_sk: `${dueAt}#${itemPk}` };
}
/**
 * Queue entries are indexed too, by queue key: the waiting orders of every product in serve order
 * (SPEC v2 "Order lists"), and the sweeper's oldest backorder, without a Scan.
 */
export function waitingAttributes(itemPk: string, queueKey: string) {
  return { attention_pk: `WAITING#${shardOf(itemPk, ATTENTION_SHARDS)}`, attention_sk: queueKey };
}
export const attentionPartitions = () => Array.from({ length: ATTENTION_SHARDS }, (_, i) => `ATTN#${i}`);
export const waitingPartitions = () => Array.from({ length: ATTENTION_SHARDS }, (_, i) => `WAITING#${i}`);

/** The order lists (index `order_lists`): an order is open until it is settled, then filed for good. */
export type OrderList = 'open' | 'fulfilled' | 'cancelled';
const LIST_PARTITION: Record<OrderList, string> = { open: 'OPEN#', fulfilled: 'FULFILLED#', cancelled: 'CANCELLED#' };

/** An order's place in its list: its shard, and its creation time then its key (newest first when read backwards). */
export function orderListAttributes(orderKey: string, queueKey: string, list: OrderList) {
  return {
    list_pk: `${LIST_PARTITION[list]}${shardOf(orderKey, ORDER_LIST_SHARDS)}`,
    list_sk: queueKey.slice(queueKey.indexOf('#') + 1),
  };
}
export const orderListPartitions = (list: OrderList) =>
  Array.from({ length: ORDER_LIST_SHARDS }, (_, i) => `${LIST_PARTITION[list]}${i}`);
export const OPEN_LIST_PREFIX = LIST_PARTITION.open;
export function listOfPartition(listPk: string): OrderList | undefined {
  return (Object.keys(LIST_PARTITION) as OrderList[]).find((list) => listPk.startsWith(LIST_PARTITION[list]));
}

function shardOf(text: string, shards: number): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % shards;
}

/**
 * Queue keys order waiting orders: priority rank (0 emergency, 1 urgent, 2 routine: SPEC rule 4),
 * then the time the order's creation started, then the order key (unique). All products'
 * queues use the same key for one order, so the serve order is the same for every product
 * (SPEC: "consistently for all products"); two orders of one priority get the opposite order
 * only when their creations overlapped.
 */
export function queueKeyFor(orderKey: string, startedAtMs: number, priority: Priority): string {
  return `${priorityRank(priority)}#${startedAtMs.toString().padStart(15, '0')}#${orderKey}`;
}
export const priorityOfQueueKey = (queueKey: string): Priority => priorityOfRank(Number(queueKey.slice(0, 1)));
/** The order key in a queue key (order keys hold no `#`). */
export const orderKeyOfQueueKey = (queueKey: string): string => queueKey.split('#', 3)[2]!;
/** The time (epoch ms) in a queue key: when the order's creation started. */
export function queueKeyTime(queueKey: string): number {
  return Number(queueKey.split('#', 2)[1]);
}
