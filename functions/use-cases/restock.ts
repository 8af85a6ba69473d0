/**
 * process_restock (HTTP and EventBridge): stock lands on hand, then the drain fills waiting
 * orders (SPEC rules 4, 6, 8). The restock record, created in the same transaction as the
 * first stock change, is what makes a replayed key change nothing; its lease tells a replay
 * whether the first request is still at work or died (then the replay finishes the work).
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, RequestInProgressError } from '../domain/errors.js';
import type { Line, Quantities, Shipment } from '../domain/model.js';
import { expandShipments, sameQuantities, toLines } from '../domain/order-record.js';
import { batchGet } from '../store/batch-get.js';
import { getProducts } from '../store/catalog-store.js';
import { shipmentKey } from '../store/keys.js';
import { addRestockedUnits } from '../store/items/product-item.js';
import { markChunkApplied, putNewRestock, putShipmentRef, type RestockRecord } from '../store/items/restock-item.js';
import { shipmentFromItem } from '../store/items/shipment-item.js';
import { completeRestock, getRestock, takeOverRestock } from '../store/restock-store.js';
import { chunk, MAX_TRANSACTION_ITEMS, TransactionCancelled, transactWrite } from '../store/transactions.js';
import { fillBackorders } from './fill-backorders.js';

export interface RestockInput {
  /** Idempotency-Key header, or `event:<id>` for EventBridge; absent: a fresh key. */
  key?: string;
  /** Merged by product. */
  lines: Line[];
  /** Epoch ms by which the answer must be ready; the drain hands the rest to the sweeper. */
  deadline: number;
  /** Where a product's line stood in the request body, for error paths. */
  linePath?: (productId: number) => string;
}

export interface RestockAnswer {
  restocked: Line[];
  shipments: Shipment[];
  draining: boolean;
}

/**
 * A request owns its restock this long; after that a replay or the sweeper may take over. Longer
 * than any function timeout, so a live request is not taken over (it would be safe, only wasteful:
 * each stock part is guarded). RESTOCK_LEASE_MS shortens it for fault tests.
 */
const restockLeaseMs = () => Number(process.env.RESTOCK_LEASE_MS ?? 60_000);
/** Products in one stock transaction: one slot is the restock record. */
const PRODUCTS_PER_TRANSACTION = MAX_TRANSACTION_ITEMS - 1;

export async function restock(input: RestockInput): Promise<RestockAnswer> {
  const key = input.key ?? `auto:${randomUUID()}`;
  const lines: Quantities = new Map(input.lines.map((l) => [l.product_id, l.quantity]));
  const [products, existing] = await Promise.all([
    getProducts(lines.keys()),
    input.key ? getRestock(key) : Promise.resolve(undefined),
  ]);
  if (existing) return replay(existing.record, lines, input.deadline);
  const unknown = input.lines.filter((l) => !products.has(l.product_id));
  if (unknown.length > 0) {
    throw new NotFoundError(
      'the restock names products that are not in the catalog',
      unknown.map((l) => ({
        path: input.linePath?.(l.product_id) ?? '',
        message: `unknown product_id ${l.product_id}`,
      })),
    );
  }
  const now = Date.now();
  const record: RestockRecord = {
    key,
    lines,
    status: 'applying',
    chunkCount: Math.ceil(lines.size / PRODUCTS_PER_TRANSACTION),
    chunksApplied: new Set([0]),
    leaseUntil: now + restockLeaseMs(),
    draining: false,
    createdAt: new Date(now).toISOString(),
  };
  const parts = stockParts(lines);
  try {
    await transactWrite([putNewRestock(record, now), ...stockItems(parts[0]!, record.leaseUntil)]);
  } catch (error) {
    // Same key raced in: the other request owns it; answer as its replay.
    if (error instanceof TransactionCancelled && error.failedAt(0)) {
      const raced = await getRestock(key);
      if (raced) return replay(raced.record, lines, input.deadline);
    }
    throw error;
  }
  return finish(record, input.deadline);
}

/** Applies the stock parts not applied yet, drains, and records the final answer. */
async function finish(record: RestockRecord, deadline: number): Promise<RestockAnswer> {
  const parts = stockParts(record.lines);
  for (let i = 0; i < parts.length; i++) {
    if (record.chunksApplied.has(i)) continue;
    try {
      await transactWrite([markChunkApplied(record.key, i), ...stockItems(parts[i]!, record.leaseUntil)]);
    } catch (error) {
      // Already applied by an earlier owner of this restock: exactly once, so skip it.
      if (!(error instanceof TransactionCancelled && error.failedAt(0))) throw error;
    }
  }
  const drained = await fillBackorders(record.lines.keys(), {
    requestId: record.key,
    deadline,
    extraItems: (orderKey, event) => [putShipmentRef(record.key, { orderKey, eventId: event.eventId }, Date.now())],
  });
  await completeRestock(record.key, drained.draining);
  return answerOf(record.key, record.lines, drained.draining);
}

async function replay(record: RestockRecord, lines: Quantities, deadline: number): Promise<RestockAnswer> {
  if (!sameQuantities(record.lines, lines)) {
    throw new ConflictError(`restock ${record.key} was already sent with different lines`);
  }
  if (record.status === 'done') return answerOf(record.key, record.lines, record.draining);
  const now = Date.now();
  if (record.leaseUntil > now) {
    throw new RequestInProgressError(
      `restock ${record.key} is still being applied`,
      Math.max(1, Math.ceil((record.leaseUntil - now) / 1000)),
    );
  }
  return resumeRestock(record, deadline);
}

/** The owner of this restock died (its lease is over): finish its work, once. */
export async function resumeRestock(record: RestockRecord, deadline: number): Promise<RestockAnswer> {
  const lease = Date.now() + restockLeaseMs();
  if (!(await takeOverRestock(record.key, record.leaseUntil, lease))) {
    throw new RequestInProgressError(`restock ${record.key} is being finished by another request`, 1);
  }
  const current = await getRestock(record.key);
  return finish({ ...current!.record, leaseUntil: lease }, deadline);
}

/** The answer as first given: every shipment the restock caused, rebuilt from its references. */
async function answerOf(key: string, lines: Quantities, draining: boolean): Promise<RestockAnswer> {
  const stored = await getRestock(key);
  const refs = stored?.refs ?? [];
  const items = await batchGet(refs.map((r) => shipmentKey(r.orderKey, r.eventId)));
  const events = items.map(shipmentFromItem).sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  return {
    restocked: toLines(lines),
    shipments: events.flatMap((e) => expandShipments(e.orderId, e)),
    draining,
  };
}

function stockParts(lines: Quantities): Line[][] {
  return chunk(toLines(lines), PRODUCTS_PER_TRANSACTION);
}

function stockItems(part: Line[], leaseUntil: number) {
  const dueAt = new Date(leaseUntil).toISOString();
  return part.map((l) => addRestockedUnits(l.product_id, l.quantity, dueAt));
}
