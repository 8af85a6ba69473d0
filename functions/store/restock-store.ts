/**
 * Restocks: the intents that put restocked units on hand exactly once, the lease that tells a
 * replay whether the first request is still at work, and the shipments a restock caused.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import type { OrderId } from '../domain/order-id.js';
import { type ShipmentEvent, toLines } from '../domain/order-record.js';
import { batchGet } from './batch-get.js';
import { PARTS_REF_PREFIX, REF_PREFIX, restockKey, shipmentKey } from './keys.js';
import type { Line, StockedProduct } from '../domain/model.js';
import { addRestockedUnits, addUnitsNobodyWaits, productsSeenBy } from './items/product-item.js';
import {
  markStockPartApplied,
  putNewRestock,
  type RestockRecord,
  refsFromItem,
  restockFromItem,
  STOCK_PART_PRODUCTS,
  type ShipmentRef,
  stockProgressFromItem,
} from './items/restock-item.js';
import { shipmentFromItem } from './items/shipment-item.js';
import { ledgerWrite } from './ledger.js';
import { partitionItems } from './query.js';
import { chunk, commit, isConditionFailure } from './transactions.js';

export type { RestockRecord };

export type CreateOutcome =
  | { kind: 'created' }
  /** The key was used before: nothing changed. */
  | { kind: 'exists' }
  /** Products not in the catalog: nothing changed. */
  | { kind: 'unknown'; productIds: number[] }
  /** (`nobodyWaits`) an order waits for a product after all: nothing changed; the products as they are now. */
  | { kind: 'waiting'; seen: Map<number, StockedProduct> };

/**
 * Records the restock and puts its units on hand. The record is created in the same transaction
 * as the first part of stock, so any outcome but `created` means nothing was changed. Only the
 * first part's products are checked by the transaction itself: a restock of more parts must have
 * checked its products before.
 *
 * `nobodyWaits` (a restock of one part whose products nobody seemed to wait for): the transaction
 * proves it (each product's `backordered = 0`), so no drain follows and the record is created
 * done: the whole restock is one write.
 */
export async function createRestock(record: RestockRecord, { nobodyWaits = false } = {}): Promise<CreateOutcome> {
  const parts = stockParts(record);
  if (nobodyWaits && parts.length > 1) throw new Error('nobodyWaits needs a restock of one part');
  const stored: RestockRecord = nobodyWaits ? { ...record, status: 'done', draining: false } : record;
  const ledger = restockLedger(record, parts[0]!);
  const first = await commit([
    putNewRestock(stored, parts.length),
    ...parts[0]!.map((l) =>
      nobodyWaits
        ? addUnitsNobodyWaits(l.product_id, l.quantity, ledger.markFor(l.product_id))
        : addRestockedUnits(l.product_id, l.quantity, dueAt(record), ledger.markFor(l.product_id)),
    ),
    ledger.item,
  ]);
  if (!first.ok) {
    const { cancelled } = first;
    if (cancelled.failedAt(0)) return { kind: 'exists' };
    // A failed product without its old image is not in the catalog; with it, an order waits.
    const unknown = parts[0]!.filter((_, i) => cancelled.failedAt(i + 1) && !cancelled.oldItems.has(i + 1));
    if (unknown.length > 0 || !nobodyWaits) {
      return { kind: 'unknown', productIds: unknown.map((l) => l.product_id) };
    }
    return { kind: 'waiting', seen: productsSeenBy(cancelled) };
  }
  await applyParts(record, new Set([0]));
  return { kind: 'created' };
}

/** Whether the restock's stock lands in one transaction (its products checked by it). */
export const restockFitsOnePart = (lines: Map<number, number>) => lines.size <= STOCK_PART_PRODUCTS;

/** Applies the parts of stock an earlier owner of this restock did not (each part once). */
export async function applyPendingStock(record: RestockRecord): Promise<void> {
  const stored = await readRestockItem(record.key);
  if (!stored) throw new Error(`restock ${record.key} is gone`);
  await applyParts(record, stockProgressFromItem(stored).partsApplied);
}

async function applyParts(record: RestockRecord, applied: Set<number>): Promise<void> {
  const parts = stockParts(record);
  for (let n = 0; n < parts.length; n++) {
    if (applied.has(n)) continue;
    const ledger = restockLedger(record, parts[n]!);
    const result = await commit([
      markStockPartApplied(record.key, n),
      ...parts[n]!.map((l) => addRestockedUnits(l.product_id, l.quantity, dueAt(record), ledger.markFor(l.product_id))),
      ledger.item,
    ]);
    // A failed mark means an earlier owner applied this part: exactly once, so go on.
    if (!result.ok && !result.cancelled.failedAt(0)) throw result.cancelled;
  }
}

/** One `restock` movement per product of the part. */
function restockLedger(record: RestockRecord, lines: Line[]) {
  return ledgerWrite(
    lines.map((l) => ({
      productId: l.product_id,
      lot: null,
      quantity: l.quantity,
      cause: { kind: 'restock' as const, restockKey: record.key },
    })),
  );
}

/** Parts in product order, the same for every owner of the restock. */
function stockParts(record: RestockRecord) {
  return chunk(toLines(record.lines), STOCK_PART_PRODUCTS);
}

/** Products get a sweeper mark due when the lease ends, in case the drain that follows is cut short. */
const dueAt = (record: RestockRecord) => new Date(record.leaseUntil).toISOString();

export interface StoredRestock {
  record: RestockRecord;
  /** The shipments it caused. */
  refs: ShipmentRef[];
  /** Orders where one of its fills went in parts (a dead request may have left them unpacked). */
  partOrders: string[];
}

/** The record, the shipments it caused and the orders it filled in parts, in one Query. */
export async function getRestock(key: string): Promise<StoredRestock | undefined> {
  let record: RestockRecord | undefined;
  const refs: ShipmentRef[] = [];
  const partOrders: string[] = [];
  for await (const item of partitionItems(restockKey(key).pk)) {
    const sk = String(item.sk);
    if (sk === 'RESTOCK') record = restockFromItem(item);
    else if (sk.startsWith(REF_PREFIX)) refs.push(...refsFromItem(item));
    else if (sk.startsWith(PARTS_REF_PREFIX)) partOrders.push(String(item.order_key));
  }
  return record ? { record, refs, partOrders } : undefined;
}

async function readRestockItem(key: string): Promise<Record<string, unknown> | undefined> {
  const res = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: restockKey(key), ConsistentRead: true }),
  );
  return res.Item;
}

/** Every shipment the restock caused, oldest first, for its answer. */
export async function restockShipments(refs: ShipmentRef[]): Promise<Array<ShipmentEvent & { orderId: OrderId }>> {
  const items = await batchGet(refs.map((r) => shipmentKey(r.orderKey, r.eventId)));
  return items.map(shipmentFromItem).sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

/** Takes over a restock whose owner's lease ran out; false if someone else took it first. */
export async function takeOverRestock(key: string, expiredLease: number, newLease: number): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: restockKey(key),
        UpdateExpression: 'SET lease_until = :new',
        ConditionExpression: 'lease_until = :old AND #s = :applying',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':new': newLease, ':old': expiredLease, ':applying': 'applying' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The answer is final: later replays return it. The sweeper no longer needs to look. */
export async function completeRestock(key: string, draining: boolean): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: restockKey(key),
      UpdateExpression: 'SET #s = :done, draining = :d REMOVE attention_pk, attention_sk',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':done': 'done', ':d': draining },
    }),
  );
}
