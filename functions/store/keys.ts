/** Key builders of the single table (see table-definition.ts for the item list). */
import { type Priority, priorityOfRank, priorityRank } from '../domain/priority.js';
import { ATTENTION_SHARDS } from './table-definition.js';

export const productKey = (productId: number) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' });
export const PRODUCT_PREFIX = 'PRODUCT#';
export const waitKey = (productId: number, queueKey: string) => ({
  pk: `PRODUCT#${productId}`,
  sk: `WAIT#${queueKey}`,
});
export const WAIT_PREFIX = 'WAIT#';
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
  return { attention_pk: `ATTN#${shardOf(itemPk)}`, attention_sk: `${dueAt}#${itemPk}` };
}
/** Waiting orders are indexed too, so the sweeper can report the oldest backorder's age without a Scan. */
export function waitingAttributes(itemPk: string, queueKey: string) {
  return { attention_pk: `WAITING#${shardOf(itemPk)}`, attention_sk: waitingSortKey(queueKey) };
}
export const attentionPartitions = () => Array.from({ length: ATTENTION_SHARDS }, (_, i) => `ATTN#${i}`);
export const waitingPartitions = () => Array.from({ length: ATTENTION_SHARDS }, (_, i) => `WAITING#${i}`);

function shardOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % ATTENTION_SHARDS;
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
/** The waiting index sorts by time alone (oldest backorder first, whatever its priority). */
function waitingSortKey(queueKey: string): string {
  return queueKey.slice(queueKey.indexOf('#') + 1);
}
export function waitingSortKeyTime(sortKey: string): number {
  return Number(sortKey.split('#', 1)[0]);
}
