/**
 * The drain: restocked units go to waiting orders, oldest first for each product (SPEC rule 4),
 * until nothing is on hand or nobody waits (rule 8). Each order gets one shipment per pass,
 * packed over all the products it receives (rule 2). Every write is guarded: units on hand,
 * the queue entry's remaining count, the product's rev; a lost race re-reads and re-plans.
 */
import { randomUUID } from 'node:crypto';
import { planFills, type PlannedFill, type QueueEntry } from '../domain/allocation.js';
import type { Quantities, StockedProduct } from '../domain/model.js';
import { orderIdFromKey } from '../domain/order-id.js';
import type { ShipmentEvent } from '../domain/order-record.js';
import { clearAttention, markDueNow } from '../store/attention-store.js';
import { getProductsWithMarkers } from '../store/catalog-store.js';
import { attentionAttributes, productKey } from '../store/keys.js';
import { changeOrderTotals, MAX_LINES_PER_ORDER_UPDATE, unpackedKey } from '../store/items/order-item.js';
import { fillBackorder } from '../store/items/product-item.js';
import { putShipment } from '../store/items/shipment-item.js';
import { fillWait } from '../store/items/wait-item.js';
import { readQueue } from '../store/order-store.js';
import {
  forEachConcurrently,
  MAX_TRANSACTION_ITEMS,
  sleep,
  TransactionCancelled,
  transactWrite,
  type TransactionItem,
} from '../store/transactions.js';
import { rememberProducts } from './catalog-cache.js';
import { LARGE_CHANGE_LEASE_MS, packUnpacked } from './large-changes.js';
import { groupToFit } from './order-lines.js';
import { logShipped, makeShipmentEvent } from './shipments.js';

export interface DrainContext {
  /** Shipments are tagged with it (the restock key, or the sweep's id). */
  requestId: string;
  /** Epoch ms after which the drain stops and leaves the rest to the sweeper. */
  deadline: number;
  /** Items joining each fill's transaction (a restock records the shipments it caused). */
  extraItems?: (orderKey: string, event: ShipmentEvent) => TransactionItem[];
}

export interface DrainResult {
  shipments: Array<{ orderKey: string; event: ShipmentEvent }>;
  /** True when the time budget ran out with orders still to fill. */
  draining: boolean;
}

const MAX_PASSES = 10_000;

export async function fillBackorders(productIds: Iterable<number>, context: DrainContext): Promise<DrainResult> {
  const ids = [...new Set(productIds)];
  const shipments: DrainResult['shipments'] = [];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const products = await getProductsWithMarkers(ids);
    rememberProducts([...products.values()].map((p) => p.product));
    const busy = [...products.values()].filter((p) => p.product.on_hand > 0 && p.product.backordered > 0);
    // Products with nothing left to do lose their sweeper marker (unless a newer restock set one).
    const settled = [...products.values()].filter((p) => !busy.includes(p) && p.attentionSk);
    await forEachConcurrently(settled, 16, (p) => clearAttention(productKey(p.product.product_id), p.attentionSk!));
    if (busy.length === 0) return { shipments, draining: false };
    if (Date.now() >= context.deadline) {
      await handOverToSweeper(busy.map((p) => p.product.product_id));
      return { shipments, draining: true };
    }
    const queues = new Map<number, QueueEntry[]>();
    for (const { product } of busy)
      queues.set(product.product_id, await readQueue(product.product_id, product.on_hand));
    const onHand = new Map(busy.map(({ product }) => [product.product_id, product.on_hand]));
    const stock = new Map(busy.map(({ product }) => [product.product_id, product]));
    for (const fill of planFills(onHand, queues)) {
      try {
        const event = await commitFill(fill, stock, context);
        if (event) shipments.push({ orderKey: fill.orderKey, event });
      } catch (error) {
        if (!(error instanceof TransactionCancelled)) throw error;
        // Another drain or order moved this stock: re-read and re-plan after a short pause.
        await sleep(Math.random() * 20);
        break;
      }
      if (Date.now() >= context.deadline) break;
    }
  }
  throw new Error('drain did not settle');
}

async function commitFill(
  fill: PlannedFill,
  stock: Map<number, StockedProduct>,
  context: DrainContext,
): Promise<ShipmentEvent | undefined> {
  const orderId = orderIdFromKey(fill.orderKey);
  const units: Quantities = new Map(fill.lines.map((l) => [l.product_id, l.quantity]));
  const filled: Quantities = new Map(fill.lines.map((l) => [l.product_id, -l.quantity]));
  const lineItems = (lines: PlannedFill['lines']) =>
    lines.flatMap((l) => [
      fillBackorder(l.product_id, l.quantity, stock.get(l.product_id)!.rev),
      fillWait(l.product_id, fill.queueKey, l.quantity, l.remainingBefore),
    ]);
  const event = makeShipmentEvent(context.requestId, units, stock);
  if (!event) return undefined;
  const extra = context.extraItems?.(fill.orderKey, event) ?? [];
  const items: TransactionItem[] = [
    changeOrderTotals(fill.orderKey, { shipped: units, backordered: filled }),
    putShipment(fill.orderKey, orderId, event),
    ...lineItems(fill.lines),
    ...extra,
  ];
  if (items.length <= MAX_TRANSACTION_ITEMS && fill.lines.length <= MAX_LINES_PER_ORDER_UPDATE) {
    await transactWrite(items);
    logShipped(orderId, event, stock);
    return event;
  }
  // Too many lines for one transaction: allocate in parts recorded as unpacked, then pack once.
  const parts = groupToFit(fill.lines, () => 2, MAX_TRANSACTION_ITEMS - 1, MAX_LINES_PER_ORDER_UPDATE);
  const dueAt = new Date(Date.now() + LARGE_CHANGE_LEASE_MS).toISOString();
  let packed: ShipmentEvent | undefined;
  try {
    for (const part of parts) {
      await transactWrite([
        changeOrderTotals(fill.orderKey, {
          shipped: new Map(part.map((l) => [l.product_id, l.quantity])),
          backordered: new Map(part.map((l) => [l.product_id, -l.quantity])),
          unpackedKey: unpackedKey(context.requestId, randomUUID()),
          attentionDueAt: dueAt,
        }),
        ...lineItems(part),
      ]);
    }
  } finally {
    // Whatever parts committed are packed together now, so no unit waits unpacked.
    packed = await packUnpacked(fill.orderKey, context.requestId, (e) => context.extraItems?.(fill.orderKey, e) ?? []);
  }
  return packed;
}

/** The time budget is spent: the sweeper takes these products at its next run. */
async function handOverToSweeper(productIds: number[]): Promise<void> {
  const now = new Date().toISOString();
  for (const id of productIds) {
    const key = productKey(id);
    const attention = attentionAttributes(key.pk, now);
    await markDueNow(key, attention.attention_pk, attention.attention_sk);
  }
}
