/**
 * Lots (SPEC v2 "Lots and expiry"): a lot as it stands, the packages that carried it, its recall,
 * and the follower's bookkeeping that makes them readable without a Scan.
 *
 * Which packages carried a lot is known from each shipment event (its lots per product). The
 * stream's follower (use-cases/publish-events.ts) writes one LOTSHIP item per product, lot and
 * event, sorted by the event id (time first), so a LotView lists the packages oldest first with
 * one Query, and a recall reaches every hospital that received the lot. Each LOTSHIP (and each
 * LOTOFF, for a write-off movement) is put once, in the same transaction as the LotItem's
 * counter it adds to, so a record delivered twice counts once.
 */
import { tableName } from '../commons/dynamodb.js';
import { mergeTakes, type StockTake } from '../domain/lots.js';
import type { StockedProduct } from '../domain/model.js';
import type { OrderId } from '../domain/order-id.js';
import type { ShipmentEvent } from '../domain/order-record.js';
import { batchGet } from './batch-get.js';
import { lotFromItem, type LotRecord, recallFromItem, recallLotItems, type RecallRecord } from './items/lot-item.js';
import { lotHasNoUnits, productFromItem, productsSeenBy, writeOffUnits } from './items/product-item.js';
import { shipmentFromItem } from './items/shipment-item.js';
import {
  lotKey,
  lotShipmentKey,
  lotShipmentPrefix,
  lotWriteOffKey,
  productKey,
  recallKey,
  shipmentKey,
} from './keys.js';
import { ledgerWrite } from './ledger.js';
import { queryItems } from './query.js';
import { commit, forEachConcurrently } from './transactions.js';

export type { LotRecord, RecallRecord };

export interface StoredLot {
  record: LotRecord;
  /** The product as it is now (its units of the lot on hand among its lots). */
  product: StockedProduct;
  recall?: RecallRecord;
}

/** A named lot, its product and its recall, strongly consistent; undefined for an unknown product or lot. */
export async function readLot(productId: number, lot: string): Promise<StoredLot | undefined> {
  const items = await batchGet([lotKey(productId, lot), productKey(productId), recallKey(productId, lot)]);
  const sk = (prefix: string) => items.find((i) => String(i.sk).startsWith(prefix));
  const [lotItem, productItem, recallItem] = [sk('LOT#'), sk('PRODUCT'), sk('RECALL#')];
  if (!lotItem || !productItem) return undefined;
  return {
    record: lotFromItem(lotItem),
    product: productFromItem(productItem),
    ...(recallItem ? { recall: recallFromItem(recallItem) } : {}),
  };
}

/** One event's units of the lot, as a LOTSHIP item names it. */
export interface LotShipment {
  /** The LOTSHIP item's sort key: where a page resumes. */
  position: string;
  orderKey: string;
  orderId: OrderId;
  event: ShipmentEvent;
}

/**
 * The shipment events that carried units of the lot, oldest first, after `position` (a sort
 * key), at most `limit` of them, with each event read whole (its packages list their lots).
 */
export async function lotShipments(
  productId: number,
  lot: string,
  after: string | undefined,
  limit: number,
): Promise<{ shipments: LotShipment[]; more: boolean }> {
  const refs: Array<{ position: string; orderKey: string }> = [];
  let more = false;
  const items = queryItems({
    KeyConditionExpression: after ? 'pk = :pk AND sk BETWEEN :from AND :to' : 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: after
      ? { ':pk': productKey(productId).pk, ':from': `${after}\u0000`, ':to': `${lotShipmentPrefix(lot)}\uffff` }
      : { ':pk': productKey(productId).pk, ':prefix': lotShipmentPrefix(lot) },
    Limit: limit + 1,
  });
  for await (const item of items) {
    if (refs.length === limit) {
      more = true;
      break;
    }
    refs.push({ position: String(item.sk), orderKey: String(item.order_key) });
  }
  const events = new Map(
    (await batchGet(refs.map((r) => shipmentKeyOf(lot, r)))).map((item) => [
      `${String(item.pk)}|${String(item.sk)}`,
      shipmentFromItem(item),
    ]),
  );
  const shipments = refs.flatMap((r) => {
    const key = shipmentKeyOf(lot, r);
    const stored = events.get(`${key.pk}|${key.sk}`);
    if (!stored) return [];
    const { orderId, ...event } = stored;
    return [{ position: r.position, orderKey: r.orderKey, orderId, event }];
  });
  return { shipments, more };
}

/** The ShipmentItem a LOTSHIP item names: its event id is the part of its key after the lot. */
function shipmentKeyOf(lot: string, ref: { position: string; orderKey: string }) {
  const rest = ref.position.slice(lotShipmentPrefix(lot).length);
  const eventId = rest.slice(0, rest.length - ref.orderKey.length - 1);
  return shipmentKey(ref.orderKey, eventId);
}

export type RecallOutcome =
  | { kind: 'recalled' }
  /** Recalled before: nothing changed. */
  | { kind: 'already' }
  /** The lot's units moved since they were read: read and try again. */
  | { kind: 'stale'; seen: Map<number, StockedProduct> };

/**
 * Recalls the lot: marks it recalled for good and writes off every unit of it on hand (`take`,
 * the whole lot as read; its condition proves it, as the lot's absence from the product's lots
 * does when none was read), with one `write_off` movement (reason `recalled`), in one transaction.
 */
export async function commitRecall(
  productId: number,
  lot: string,
  take: StockTake | undefined,
  at: string,
  reason: string | null,
): Promise<RecallOutcome> {
  const ledger = take
    ? ledgerWrite(
        [
          {
            productId,
            lot,
            quantity: -take.quantity,
            cause: { kind: 'write_off', reason: 'recalled', writeOffKey: recallWriteOffKey(productId, lot) },
          },
        ],
        at,
      )
    : undefined;
  const result = await commit([
    ...recallLotItems(productId, lot, at, reason, take?.quantity ?? 0),
    ...(take && ledger
      ? [writeOffUnits(productId, [take], ledger.markFor(productId)), ledger.item]
      : [lotHasNoUnits(productId, lot)]),
  ]);
  if (result.ok) return { kind: 'recalled' };
  if (result.cancelled.failedAt(0)) return { kind: 'already' };
  return { kind: 'stale', seen: productsSeenBy(result.cancelled) };
}

/**
 * The sweeper wrote off the expired lot's units: its mark goes, together with the proof that none
 * is on hand (a restock committed since the sweeper's read keeps it, for a write-off of those).
 * False when units are on hand; true when the mark went, or was not the one the sweeper saw any
 * more (another pass cleared it).
 */
export async function clearLotMark(productId: number, lot: string, mark: string): Promise<boolean> {
  const result = await commit([
    {
      Update: {
        TableName: tableName(),
        Key: lotKey(productId, lot),
        UpdateExpression: 'REMOVE attention_pk, attention_sk',
        ConditionExpression: 'attention_sk = :mark',
        ExpressionAttributeValues: { ':mark': mark },
      },
    },
    lotHasNoUnits(productId, lot),
  ]);
  return result.ok || !result.cancelled.failedAt(1);
}

/**
 * The follower's bookkeeping of a shipment event: per product and named lot it carried, a
 * LOTSHIP item and the lot's `shipped` counter, once.
 */
export async function recordLotShipments(orderKey: string, orderId: OrderId, event: ShipmentEvent): Promise<void> {
  const named = [...(event.lots ?? [])].flatMap(([productId, takes]) =>
    mergeTakes(takes).flatMap((t) => (t.lot === null ? [] : [{ productId, lot: t.lot, quantity: t.quantity }])),
  );
  await forEachConcurrently(named, 8, async ({ productId, lot, quantity }) => {
    await countOnce(
      {
        Put: {
          TableName: tableName(),
          Item: {
            ...lotShipmentKey(productId, lot, event.eventId, orderKey),
            order_key: orderKey,
            order_id: orderId,
            shipped_at: event.shippedAt,
            quantity,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      productId,
      lot,
      'shipped',
      quantity,
    );
  });
}

/** A recall's write-off key: its units are counted on the LotItem by the recall itself. */
const recallWriteOffKey = (productId: number, lot: string) => `recall:${productId}/${lot}`;

/**
 * The follower's bookkeeping of a write-off movement of a named lot: its `written_off` counter,
 * once (a recall's was counted by the recall).
 */
export async function recordLotWriteOff(
  productId: number,
  lot: string,
  seq: number,
  quantity: number,
  writeOffKey: string,
): Promise<void> {
  if (writeOffKey === recallWriteOffKey(productId, lot)) return;
  await countOnce(
    {
      Put: {
        TableName: tableName(),
        Item: { ...lotWriteOffKey(productId, lot, seq), quantity },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    productId,
    lot,
    'written_off',
    quantity,
  );
}

/**
 * The marker and the counter together: a marker already there means this was counted. A lot
 * without its LotItem (never the case for a lot that came in by a restock) has nothing to count:
 * the record is not refused for it, or it would come back forever.
 */
async function countOnce(
  marker: Parameters<typeof commit>[0][number],
  productId: number,
  lot: string,
  counter: 'shipped' | 'written_off',
  quantity: number,
): Promise<void> {
  await commit([
    marker,
    {
      Update: {
        TableName: tableName(),
        Key: lotKey(productId, lot),
        UpdateExpression: `ADD ${counter} :q`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':q': quantity },
      },
    },
  ]);
}
