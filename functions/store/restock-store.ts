/**
 * Restocks: the intents that put restocked units on hand exactly once, the lease that tells a
 * replay whether the first request is still at work, and the shipments a restock caused.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import type { OrderId } from '../domain/order-id.js';
import type { ShipmentEvent } from '../domain/order-record.js';
import { batchGet } from './batch-get.js';
import { lotKey, PARTS_REF_PREFIX, REF_PREFIX, restockKey, shipmentKey } from './keys.js';
import {
  type KnownLot,
  type LaterPartLine,
  type LaterPartWriteOffCause,
  namedLots,
  planLaterPart,
  type ResolvedRestockLine,
} from '../domain/lots.js';
import type { StockedProduct } from '../domain/model.js';
import { type LotRecord, lotFromItem, restockLot, restockWrittenOffLot } from './items/lot-item.js';
import { addRestockedUnits, addUnitsNobodyWaits, productsSeenBy } from './items/product-item.js';
import {
  markStockPartApplied,
  putNewRestock,
  type RestockRecord,
  refsFromItem,
  restockFromItem,
  STOCK_PART_ITEMS,
  type ShipmentRef,
  stockProgressFromItem,
} from './items/restock-item.js';
import type { TransactionItem } from './transactions.js';
import { shipmentFromItem } from './items/shipment-item.js';
import { ledgerWrite } from './ledger.js';
import { partitionItems } from './query.js';
import { commit, isConditionFailure } from './transactions.js';

export type { RestockRecord };

export type CreateOutcome =
  /** `writtenOff`: units of later parts written off as they arrived (see applyParts). */
  | { kind: 'created'; writtenOff: WrittenOffLine[] }
  /** The key was used before: nothing changed. */
  | { kind: 'exists' }
  /** Products not in the catalog: nothing changed. */
  | { kind: 'unknown'; productIds: number[] }
  /** (`nobodyWaits`) an order waits for a product after all: nothing changed; the products as they are now. */
  | { kind: 'waiting'; seen: Map<number, StockedProduct> }
  /** A product would hold more lots than it may: nothing changed; the products as they are now. */
  | { kind: 'too-many-lots'; seen: Map<number, StockedProduct> }
  /**
   * A lot was created or recalled since `knownLots` was read, or has expired by `now`: nothing
   * changed; read and plan again.
   */
  | { kind: 'lots-changed' };

/** Named lots by `<product_id>/<lot>`, as read before a restock plans on them. */
export type KnownLots = Map<string, KnownLot>;
export const knownLotKey = (productId: number, lot: string) => `${productId}/${lot}`;

/** The LotItems of the named lots (absent: never restocked), strongly consistent. */
export async function readLots(lots: Array<{ product_id: number; lot: string }>): Promise<Map<string, LotRecord>> {
  const unique = new Map(lots.map((l) => [knownLotKey(l.product_id, l.lot), l]));
  const items = await batchGet([...unique.values()].map((l) => lotKey(l.product_id, l.lot)));
  return new Map(items.map(lotFromItem).map((l) => [knownLotKey(l.productId, l.lot), l]));
}

/**
 * Records the restock and puts its units on hand. The record is created in the same transaction
 * as the first part of stock, so any outcome but `created` means nothing was changed. Only the
 * first part's products are checked by the transaction itself: a restock of more parts must have
 * checked its products before.
 *
 * `now` (the time the transaction is sent): no lot of the first part has expired by then (SPEC v2:
 * a restock of a lot already expired changes nothing), though it had not when the restock checked
 * its lots. Later parts land whatever the time (the restock is under way: rule 7); what lands in a
 * lot expired meanwhile is the sweeper's to write off, and what arrives in a lot recalled (or
 * created with a later expiry) meanwhile is written off at once (applyParts).
 *
 * `nobodyWaits` (a restock of one part whose products nobody seemed to wait for): the transaction
 * proves it (each product's `backordered = 0`), so no drain follows and the record is created
 * done: the whole restock is one write.
 */
export async function createRestock(
  record: RestockRecord,
  knownLots: KnownLots,
  { now, nobodyWaits = false }: { now: string; nobodyWaits?: boolean },
): Promise<CreateOutcome> {
  const parts = stockParts(record);
  if (nobodyWaits && parts.length > 1) throw new Error('nobodyWaits needs a restock of one part');
  const stored: RestockRecord = nobodyWaits ? { ...record, status: 'done', draining: false } : record;
  // The first part was checked whole before, and its transaction proves it: every line lands.
  const lands = parts[0]!.map((line): LaterPartLine => ({ kind: 'lands', line }));
  const part = partItems(record, lands, knownLots, nobodyWaits, now);
  const first = await commit([putNewRestock(stored, parts.length), ...part.items]);
  if (!first.ok) {
    const { cancelled } = first;
    if (cancelled.failedAt(0)) return { kind: 'exists' };
    if (part.lotIndexes.some((i) => cancelled.failedAt(i + 1))) return { kind: 'lots-changed' };
    // A failed product without its old image is not in the catalog; with it, an order waits or
    // the product holds too many lots.
    const failed = part.productIndexes.filter((i) => cancelled.failedAt(i + 1));
    const unknown = failed.filter((i) => !cancelled.oldItems.has(i + 1));
    if (unknown.length > 0) return { kind: 'unknown', productIds: unknown.map((i) => part.productAt(i)) };
    const seen = productsSeenBy(cancelled);
    const waiting = nobodyWaits && [...seen.values()].some((p) => p.backordered > 0);
    return waiting ? { kind: 'waiting', seen } : { kind: 'too-many-lots', seen };
  }
  return { kind: 'created', writtenOff: await applyParts(record, new Set([0])) };
}

/** Whether the restock's stock lands in one transaction (its products checked by it). */
export const restockFitsOnePart = (lots: ResolvedRestockLine[]) => stockPartsOf(lots).length <= 1;

/**
 * Applies the parts of stock an earlier owner of this restock did not (each part once); answers
 * the units written off as they arrived.
 */
export async function applyPendingStock(record: RestockRecord): Promise<WrittenOffLine[]> {
  const stored = await readRestockItem(record.key);
  if (!stored) throw new Error(`restock ${record.key} is gone`);
  return applyParts(record, stockProgressFromItem(stored).partsApplied);
}

/**
 * A later part: its lots are read again and planned on as they are now (domain `planLaterPart`:
 * units of a lot recalled meanwhile, or created meanwhile with a later expiry than theirs, are
 * written off as they arrive), and the transaction proves the lots it planned on. A lot created
 * or recalled between that read and the commit (each happens once to a lot) fails only the
 * conditions of lots: read and plan again. A product's update fails only on the lot cap (the
 * restock checked its products before its first part; concurrent restocks may have given them
 * lots since): it comes back as it is now, and the part is planned again on its lots on hand,
 * writing off the units of new lots that no longer fit. Any other failure stays an error, and
 * whoever resumes the restock tries again.
 */
async function applyParts(record: RestockRecord, applied: Set<number>): Promise<WrittenOffLine[]> {
  const parts = stockParts(record);
  const writtenOff: WrittenOffLine[] = [];
  for (let n = 0; n < parts.length; n++) {
    if (applied.has(n)) continue;
    const lines = parts[n]!;
    // Products whose update the lot cap refused, as the refusal returned them.
    const capped = new Map<number, StockedProduct>();
    for (let attempt = 1; ; attempt++) {
      const known = await readLots(lines.flatMap((l) => (l.lot === null ? [] : [{ ...l, lot: l.lot }])));
      const plan = planLaterPart(
        lines,
        (productId, lot) => known.get(knownLotKey(productId, lot)),
        (productId) => {
          const product = capped.get(productId);
          return product && namedLots(product.lots);
        },
      );
      const part = partItems(record, plan, known, false);
      const result = await commit([markStockPartApplied(record.key, n), ...part.items]);
      if (result.ok) {
        writtenOff.push(...writtenOffOf(plan, known));
        break;
      }
      const { cancelled } = result;
      // A failed mark means an earlier owner applied this part: exactly once, so go on.
      if (cancelled.failedAt(0)) break;
      const replannable = cancelled.failedIndexes.every(
        (i) => part.lotIndexes.includes(i - 1) || (part.productIndexes.includes(i - 1) && cancelled.oldItems.has(i)),
      );
      if (!replannable || attempt > 2 * (part.lotIndexes.length + 1)) throw cancelled;
      for (const [id, product] of productsSeenBy(cancelled)) capped.set(id, product);
    }
  }
  return writtenOff;
}

/** Units of a later part written off as they arrived (domain `planLaterPart`), for the log. */
export interface WrittenOffLine {
  product_id: number;
  lot: string;
  quantity: number;
  reason: 'recalled' | 'other';
  cause: LaterPartWriteOffCause;
  /** The expiry the restock gave the units (null: never), and the lot's own. */
  expires_at: string | null;
  lot_expires_at: string | null;
}

function writtenOffOf(plan: LaterPartLine[], known: Map<string, LotRecord>): WrittenOffLine[] {
  return plan.flatMap((p) => {
    const { product_id, lot, quantity, expiresAt } = p.line;
    if (p.kind !== 'written-off' || lot === null) return [];
    const lotExpiresAt = known.get(knownLotKey(product_id, lot))?.expiresAt ?? null;
    return [
      {
        product_id,
        lot,
        quantity,
        reason: p.reason,
        cause: p.cause,
        expires_at: expiresAt,
        lot_expires_at: lotExpiresAt,
      },
    ];
  });
}

/** The write-off key of a restock's units written off as they arrived: their movements name the restock. */
export const restockWriteOffKey = (restockKey: string) => `restock:${restockKey}`;

/**
 * The items of one part of stock: per product its update (all its lots), per named lot its
 * LotItem (not expired by `now`, if given), and the ledger's write with one `restock` movement
 * per product and lot, each followed by a `write_off` movement if its units are written off as
 * they arrive (a later part's, domain `planLaterPart`).
 */
function partItems(
  record: RestockRecord,
  plan: LaterPartLine[],
  knownLots: KnownLots,
  nobodyWaits: boolean,
  now?: string,
) {
  const writeOffKey = restockWriteOffKey(record.key);
  const ledger = ledgerWrite(
    plan.flatMap((p) => {
      const { product_id: productId, lot, quantity } = p.line;
      const restocked = { productId, lot, quantity, cause: { kind: 'restock' as const, restockKey: record.key } };
      if (p.kind === 'lands') return [restocked];
      return [
        restocked,
        { productId, lot, quantity: -quantity, cause: { kind: 'write_off' as const, reason: p.reason, writeOffKey } },
      ];
    }),
  );
  const byProduct = new Map<number, LaterPartLine[]>();
  for (const p of plan) byProduct.set(p.line.product_id, [...(byProduct.get(p.line.product_id) ?? []), p]);
  const items: TransactionItem[] = [];
  const productIndexes: number[] = [];
  const lotIndexes: number[] = [];
  const productAt = new Map<number, number>();
  for (const [productId, lines] of byProduct) {
    const lands = lines.flatMap((p) => (p.kind === 'lands' ? [p.line] : []));
    const writtenOff = lines.reduce((n, p) => n + (p.kind === 'written-off' ? p.line.quantity : 0), 0);
    productIndexes.push(items.length);
    productAt.set(items.length, productId);
    items.push(
      nobodyWaits
        ? addUnitsNobodyWaits(productId, lands, ledger.markFor(productId))
        : addRestockedUnits(productId, lands, dueAt(record), ledger.markFor(productId), writtenOff),
    );
    for (const p of lines) {
      const { lot, quantity, expiresAt } = p.line;
      if (lot === null) continue;
      lotIndexes.push(items.length);
      // Units of a lot one too many may be the lot's first: it is created (or restocked) as planned.
      items.push(
        p.kind === 'written-off' && p.cause !== 'too-many-lots'
          ? restockWrittenOffLot(productId, lot, quantity, p.reason)
          : restockLot(productId, lot, quantity, knownLots.get(knownLotKey(productId, lot)), expiresAt, now),
      );
    }
  }
  items.push(ledger.item);
  return { items, productIndexes, lotIndexes, productAt: (i: number) => productAt.get(i)! };
}

/** Parts in product order, the same for every owner of the restock. */
function stockParts(record: RestockRecord): ResolvedRestockLine[][] {
  return stockPartsOf(record.lots);
}

/** Whole products per part, each costing one item and one per named lot, STOCK_PART_ITEMS at most. */
function stockPartsOf(lots: ResolvedRestockLine[]): ResolvedRestockLine[][] {
  const parts: ResolvedRestockLine[][] = [];
  let part: ResolvedRestockLine[] = [];
  let size = 0;
  const byProduct = new Map<number, ResolvedRestockLine[]>();
  for (const l of lots) byProduct.set(l.product_id, [...(byProduct.get(l.product_id) ?? []), l]);
  for (const productLots of [...byProduct.entries()].sort(([a], [b]) => a - b).map(([, v]) => v)) {
    const cost = 1 + productLots.filter((l) => l.lot !== null).length;
    if (size + cost > STOCK_PART_ITEMS && part.length > 0) {
      parts.push(part);
      part = [];
      size = 0;
    }
    part.push(...productLots);
    size += cost;
  }
  if (part.length > 0) parts.push(part);
  return parts;
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
