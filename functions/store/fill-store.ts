/**
 * The drain's reads and writes: a product's queue in serve order, its drain lease, and the
 * intent that gives waiting orders their units. Every fill is guarded by the units on hand, each
 * queue entry's exact remaining count (no unit is filled twice), the catalog revision whose mass
 * packed it, and the drain's lease on the product.
 *
 * Batched by construction: consecutive fills share one transaction while it holds at most 100
 * items (one product update per product, with the batch's sum, whose guard covers the whole
 * batch; one queue entry per line; one shipment per fill; one item naming the batch's shipments
 * for the restock's answer), so a drain of orders waiting for one product commits 49 of them per
 * transaction. A fill too large for a transaction of its own commits in parts of PART_LINES lines
 * with a PartItem each, and the caller packs the parts together (SPEC rule 2).
 */
import type { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import { afterBatch, batchEffect, type PlannedFill, type QueueEntry } from '../domain/allocation.js';
import type { Quantities, StockedProduct } from '../domain/model.js';
import type { OrderId } from '../domain/order-id.js';
import { hasDrainWork } from '../domain/priority.js';
import type { ShipmentEvent } from '../domain/order-record.js';
import { markOrderForSweeper } from './items/order-item.js';
import { putPart } from './items/part-item.js';
import {
  claimDrainInput,
  fillBackorder,
  type MarkedProduct,
  markedProductFromItem,
  releaseDrainInput,
  type UnusableSeen,
} from './items/product-item.js';
import { putPartsRef, putShipmentRefs } from './items/restock-item.js';
import { putShipment } from './items/shipment-item.js';
import { fillWait, waitFromItem } from './items/wait-item.js';
import { productKey, WAIT_PREFIX } from './keys.js';
import { ledgerWrite } from './ledger.js';
import { queryItems } from './query.js';
import { chunk, commit, isConditionFailure, MAX_TRANSACTION_ITEMS } from './transactions.js';

/**
 * Lines of a part: 2 items a line, the PartItem, the ledger's write, and (first part) the order's
 * mark and the restock's note.
 */
const PART_LINES = Math.floor((MAX_TRANSACTION_ITEMS - 4) / 2);

/** Entries per page of the queue: 1,000 entries of 250-700 bytes fit in one of DynamoDB's 1 MB pages. */
const QUEUE_PAGE = 1000;

/**
 * The product's waiting orders in serve order, enough of them to use `units` units (a drain
 * never needs more). Strongly consistent, on the base table: FIFO decisions are made on it.
 */
export async function readQueue(productId: number, units: number): Promise<QueueEntry[]> {
  const entries: QueueEntry[] = [];
  let covered = 0;
  const queue = queryItems({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
    ExpressionAttributeValues: { ':pk': productKey(productId).pk, ':w': WAIT_PREFIX },
    ConsistentRead: true,
    // Every entry waits for at least one unit: `units` entries always cover the units on hand.
    Limit: Math.max(1, Math.min(units, QUEUE_PAGE)),
  });
  for await (const item of queue) {
    const entry = waitFromItem(item);
    entries.push(entry);
    covered += entry.remaining;
    if (covered >= units) break;
  }
  return entries;
}

export type { MarkedProduct };

export type ClaimOutcome =
  /** The lease is this drain's; the product as it is now. */
  | { kind: 'claimed'; product: MarkedProduct }
  /** Nothing to drain (no unit the first waiting order may take): no lease needed. */
  | { kind: 'idle'; product: MarkedProduct }
  /** Another drain holds the lease until `until` (epoch ms). */
  | { kind: 'held'; product: MarkedProduct; until: number }
  | { kind: 'unknown' };

/**
 * Takes the product's drain lease for `owner` until `until` (epoch ms) if it has work and no
 * other drain holds it. One write, which is also the drain's read of the product.
 */
export async function claimDrain(
  productId: number,
  owner: string,
  until: number,
  now = Date.now(),
): Promise<ClaimOutcome> {
  try {
    const res = await documentClient().send(new UpdateCommand(claimDrainInput(productId, owner, until, now)));
    return { kind: 'claimed', product: markedProductFromItem(res.Attributes!) };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const old = (error as ConditionalCheckFailedException).Item;
    if (!old) return { kind: 'unknown' };
    const product = markedProductFromItem(unmarshall(old));
    if (!hasDrainWork(product.product)) return { kind: 'idle', product };
    return { kind: 'held', product, until: Number(old.drain_until?.N ?? 0) };
  }
}

/**
 * Whether another drain holds the product's lease now, read and not written: a drain waiting for
 * a lease polls this, so waiting costs reads rather than writes on the product's item (in AWS,
 * the hottest item of all). Strongly consistent.
 */
export async function leaseHolder(productId: number, now = Date.now()): Promise<{ until: number } | undefined> {
  const res = await documentClient().send(
    new GetCommand({
      TableName: tableName(),
      Key: productKey(productId),
      ConsistentRead: true,
      ProjectionExpression: 'drainer, drain_until',
    }),
  );
  const until = Number(res.Item?.drain_until ?? 0);
  return res.Item?.drainer !== undefined && until >= now ? { until } : undefined;
}

export type ReleaseOutcome =
  | { kind: 'released'; product: MarkedProduct }
  /** `ifSettled` and work is left: the lease is still this drain's; the product as it is now. */
  | { kind: 'busy'; product: MarkedProduct }
  /** The lease ran out and another drain took it: nothing to give back. */
  | { kind: 'lost' };

export async function releaseDrain(
  productId: number,
  owner: string,
  { ifSettled = false, seen }: { ifSettled?: boolean; seen?: UnusableSeen } = {},
): Promise<ReleaseOutcome> {
  try {
    const res = await documentClient().send(new UpdateCommand(releaseDrainInput(productId, owner, ifSettled, seen)));
    return { kind: 'released', product: markedProductFromItem(res.Attributes!) };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const old = (error as ConditionalCheckFailedException).Item;
    if (!old || old.drainer?.S !== owner) return { kind: 'lost' };
    return { kind: 'busy', product: markedProductFromItem(unmarshall(old)) };
  }
}

/** One waiting order's fill, with its units packed into one shipment. */
export interface FillToCommit {
  fill: PlannedFill;
  orderId: OrderId;
  shipment: ShipmentEvent;
}

export interface FillsCommit {
  /** In serve order: committed in that order, so every product's FIFO holds at every moment. */
  fills: FillToCommit[];
  /** The products as the fills were planned on them: catalog data (packing) and stock (guards). */
  products: Map<number, StockedProduct>;
  /** The holder of the products' drain leases. */
  drainer: string;
  /** The request filling (a restock key or a sweep id): parts are recorded under it. */
  requestId: string;
  /** The restock whose answer lists the shipments. */
  restockKey?: string;
  /** Commit as unpacked parts even when a fill fits a transaction (to pack with earlier parts). */
  inParts?: boolean;
  /** When the sweeper should pack the parts, should the request die before it does. */
  partsDueAt: string;
  /** The horizon the fills were planned with (units unusable by then stay on hand: the guards count them). */
  horizon: string;
}

/**
 * What one transaction (or one fill's parts) did: `filled` fills hold their shipment;
 * `in-parts` fills hold unpacked parts to pack now. `stale`: a guard failed (stock, a queue
 * entry, the catalog or the lease moved) and the fills after `committed` were not written.
 */
export interface FillsOutcome {
  committed: Array<{ fill: FillToCommit; kind: 'filled' | 'in-parts' }>;
  stale: boolean;
}

/**
 * Commits the fills in order, a transaction at a time, and reports each one; stops at the first
 * stale one. The caller may stop iterating between transactions (its deadline).
 */
export async function* commitFills(commitment: FillsCommit): AsyncGenerator<FillsOutcome> {
  // The stock each transaction's guards are computed on: as planned, less what committed before.
  const stock = new Map(commitment.products);
  let batch: FillToCommit[] = [];
  for (const fill of commitment.fills) {
    const alone = transactionSize([fill], commitment.restockKey);
    if (commitment.inParts || alone > MAX_TRANSACTION_ITEMS) {
      if (batch.length > 0) {
        const outcome = await commitBatch(batch, commitment, stock);
        yield outcome;
        if (outcome.stale) return;
        batch = [];
      }
      const outcome = await commitInParts(fill, commitment, stock);
      yield outcome;
      if (outcome.stale) return;
      continue;
    }
    if (transactionSize([...batch, fill], commitment.restockKey) > MAX_TRANSACTION_ITEMS) {
      const outcome = await commitBatch(batch, commitment, stock);
      yield outcome;
      if (outcome.stale) return;
      batch = [];
    }
    batch.push(fill);
  }
  if (batch.length > 0) yield await commitBatch(batch, commitment, stock);
}

/**
 * One guarded update per product for fills committed together, and the write that holds their
 * movements (one per fill and product); `stock` moves on once they commit. `inParts`: the fills
 * are packed later, so their movements name the request rather than a shipment.
 */
function productUpdates(
  fills: FillToCommit[],
  commitment: FillsCommit,
  stock: Map<number, StockedProduct>,
  { inParts = false } = {},
) {
  const effects = batchEffect(
    fills.map((f) => f.fill),
    stock,
    commitment.horizon,
  );
  const ledger = ledgerWrite(
    fills.flatMap(({ fill, orderId, shipment }) =>
      fill.lines.flatMap((l) =>
        l.lots.map((t) => ({
          productId: l.product_id,
          lot: t.lot,
          quantity: -t.quantity,
          cause: {
            kind: 'shipment' as const,
            orderId,
            orderKey: fill.orderKey,
            requestId: commitment.requestId,
            ...(inParts ? {} : { eventId: shipment.eventId }),
          },
        })),
      ),
    ),
  );
  return {
    items: [
      ...[...effects.values()].map((b) =>
        fillBackorder(b, commitment.products.get(b.product_id)!.rev, commitment.drainer, ledger.markFor(b.product_id)),
      ),
      ledger.item,
    ],
    committed: () => {
      for (const b of effects.values()) stock.set(b.product_id, afterBatch(stock.get(b.product_id)!, b));
    },
  };
}

/** Items of a batch: one per product, the ledger's write, one per queue entry, one shipment per fill, the restock's references. */
function transactionSize(fills: FillToCommit[], restockKey: string | undefined): number {
  const products = new Set(fills.flatMap((f) => f.fill.lines.map((l) => l.product_id)));
  const lines = fills.reduce((n, f) => n + f.fill.lines.length, 0);
  return products.size + 1 + lines + fills.length + (restockKey ? 1 : 0);
}

async function commitBatch(
  batch: FillToCommit[],
  commitment: FillsCommit,
  stock: Map<number, StockedProduct>,
): Promise<FillsOutcome> {
  const products = productUpdates(batch, commitment, stock);
  const result = await commit([
    ...products.items,
    ...batch.flatMap(({ fill }) =>
      fill.lines.map((l) => fillWait(l.product_id, fill.queueKey, l.quantity, l.remainingBefore)),
    ),
    ...batch.map(({ fill, orderId, shipment }) => putShipment(fill.orderKey, orderId, shipment)),
    ...(commitment.restockKey
      ? [
          putShipmentRefs(
            commitment.restockKey,
            batch.map(({ fill, shipment }) => ({ orderKey: fill.orderKey, eventId: shipment.eventId })),
          ),
        ]
      : []),
  ]);
  if (!result.ok) return { committed: [], stale: true };
  products.committed();
  return { committed: batch.map((fill) => ({ fill, kind: 'filled' })), stale: false };
}

async function commitInParts(
  toCommit: FillToCommit,
  commitment: FillsCommit,
  stock: Map<number, StockedProduct>,
): Promise<FillsOutcome> {
  const { fill, shipment } = toCommit;
  let committed = 0;
  for (const [n, lines] of chunk(fill.lines, PART_LINES).entries()) {
    const first =
      n === 0
        ? [
            markOrderForSweeper(fill.orderKey, commitment.partsDueAt),
            ...(commitment.restockKey ? [putPartsRef(commitment.restockKey, fill.orderKey)] : []),
          ]
        : [];
    const units: Quantities = new Map(lines.map((l) => [l.product_id, l.quantity]));
    const products = productUpdates([{ ...toCommit, fill: { ...fill, lines } }], commitment, stock, { inParts: true });
    const result = await commit([
      ...products.items,
      ...lines.map((l) => fillWait(l.product_id, fill.queueKey, l.quantity, l.remainingBefore)),
      putPart(fill.orderKey, {
        partId: `${commitment.requestId}#${shipment.eventId}#${n}`,
        requestId: commitment.requestId,
        units,
        masses: new Map(lines.map((l) => [l.product_id, commitment.products.get(l.product_id)!.mass_g])),
        lots: new Map(lines.map((l) => [l.product_id, l.lots])),
      }),
      ...first,
    ]);
    if (!result.ok) {
      return committed === 0
        ? { committed: [], stale: true }
        : { committed: [{ fill: toCommit, kind: 'in-parts' }], stale: true };
    }
    products.committed();
    committed++;
  }
  return { committed: [{ fill: toCommit, kind: 'in-parts' }], stale: false };
}
