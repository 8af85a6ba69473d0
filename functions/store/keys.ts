/** Key builders of the single table (see table-definition.ts for the item list). */
import { ATTENTION_SHARDS } from './table-definition.js';

export const productKey = (productId: number) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' });
export const waitKey = (productId: number, queueKey: string) => ({
  pk: `PRODUCT#${productId}`,
  sk: `WAIT#${queueKey}`,
});
export const WAIT_PREFIX = 'WAIT#';
export const orderKeyOf = (orderKey: string) => ({ pk: `ORDER#${orderKey}`, sk: 'ORDER' });
export const orderPartition = (orderKey: string) => `ORDER#${orderKey}`;
export const shipmentKey = (orderKey: string, eventId: string) => ({ pk: `ORDER#${orderKey}`, sk: `SHIP#${eventId}` });
export const SHIP_PREFIX = 'SHIP#';
export const restockKey = (key: string) => ({ pk: `RESTOCK#${key}`, sk: 'RESTOCK' });
export const productCounterKey = { pk: 'COUNTER#product', sk: 'COUNTER' };

export const CATALOG_PARTITION = 'CATALOG';
/** Zero-padded so the catalog index lists products in id order. */
export const catalogSortKey = (productId: number) => productId.toString().padStart(16, '0');

/** Work the sweeper must look at, due at `dueAt` (ISO time): sharded by a stable hash of the item key. */
export function attentionAttributes(itemPk: string, dueAt: string) {
  return { attention_pk: `ATTN#${shardOf(itemPk)}`, attention_sk: `${dueAt}#${itemPk}` };
}
/** Waiting orders are indexed too, so the sweeper can report the oldest backorder's age without a Scan. */
export function waitingAttributes(itemPk: string, queueKey: string) {
  return { attention_pk: `WAITING#${shardOf(itemPk)}`, attention_sk: queueKey };
}
export const attentionPartitions = () => Array.from({ length: ATTENTION_SHARDS }, (_, i) => `ATTN#${i}`);
export const waitingPartitions = () => Array.from({ length: ATTENTION_SHARDS }, (_, i) => `WAITING#${i}`);

function shardOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h % ATTENTION_SHARDS;
}

/**
 * Queue keys order waiting orders. All products' queues use the same key for one order, so
 * FIFO is consistent across products (SPEC: "consistently for all products"). The time part is
 * taken when the order's creation starts, so two orders get the opposite order only when their
 * creations overlapped.
 */
export function queueKeyFor(orderKey: string, startedAtMs: number): string {
  return `${startedAtMs.toString().padStart(15, '0')}#${orderKey}`;
}
export function queueKeyTime(queueKey: string): number {
  return Number(queueKey.slice(0, 15));
}
