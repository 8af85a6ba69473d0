/**
 * The movement ledger: the sequencer that lists each stock write's movements in commit order,
 * from the table's stream, and the read of a product's movements.
 *
 * Why from the stream: every stock write advances its products' `seq` by its movements (an
 * atomic ADD, so concurrent writers never fail on it) and commits a WriteItem with them. The
 * stream carries each change of a product item in commit order, with its units on hand before
 * and after, so the sequencer numbers the write's movements and computes `on_hand_after` exactly,
 * without making stock writes wait for one another (docs/design.md "The movement ledger").
 * Delivered at least once and in order per item: a change sequenced twice writes the same item.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient } from '../commons/dynamodb.js';
import { type MovementRecord, numberMovements } from '../domain/movement.js';
import { batchGet } from './batch-get.js';
import { type OrderId, orderIdKey } from '../domain/order-id.js';
import type { ShipmentEvent } from '../domain/order-record.js';
import { MOVE_PREFIX, movementKey, orderPartition, productKey, SHIP_PREFIX, shipmentKey, writeKey } from './keys.js';
import { shipmentFromItem } from './items/shipment-item.js';
import { movementsFromItem, putMovements } from './items/movement-item.js';
import { writeFromItem } from './items/write-item.js';
import { queryItems } from './query.js';

/** The part of a DynamoDB stream record the sequencer reads (Lambda's event and GetRecords agree on it). */
export interface StreamRecordLike {
  eventName?: string;
  dynamodb?: {
    Keys?: Record<string, unknown>;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
}

export interface SequenceOutcome {
  /** Movements listed (again, for a change delivered twice). */
  movements: number;
  /** Changes whose write did not match them: never expected; each is logged by the caller. */
  problems: string[];
}

interface StockWrite {
  productId: number;
  seenSeq: number;
  seenOnHand: number;
  seq: number;
  onHand: number;
  writeId: string;
}

/** Lists the movements of every stock write among `records` (other records are ignored). */
export async function sequenceMovements(records: StreamRecordLike[]): Promise<SequenceOutcome> {
  const writes = records.flatMap((r) => {
    const write = stockWriteOf(r);
    return write ? [write] : [];
  });
  if (writes.length === 0) return { movements: 0, problems: [] };
  const stored = new Map(
    (await batchGet([...new Set(writes.map((w) => w.writeId))].map(writeKey))).map((item) => [
      String(item.pk).slice('WRITE#'.length),
      writeFromItem(item),
    ]),
  );
  const problems: string[] = [];
  let count = 0;
  for (const w of writes) {
    const write = stored.get(w.writeId);
    const changes = write?.movements.filter((m) => m.productId === w.productId) ?? [];
    const movements = write ? numberMovements(w.productId, w.seenSeq, w.seenOnHand, write.at, changes) : [];
    const last = movements.at(-1);
    if (!write || movements.length !== w.seq - w.seenSeq || last?.onHandAfter !== w.onHand) {
      problems.push(
        `product ${w.productId}: write ${w.writeId} ${write ? `holds ${movements.length} movements ending at ${last?.onHandAfter}` : 'is gone'}, the product moved from seq ${w.seenSeq} to ${w.seq} and to ${w.onHand} on hand`,
      );
      continue;
    }
    await documentClient().send(new PutCommand(putMovements(movements).Put as never));
    count += movements.length;
  }
  return { movements: count, problems };
}

/** A change of a product item that moved its ledger sequence, or undefined. */
function stockWriteOf(record: StreamRecordLike): StockWrite | undefined {
  if (record.eventName !== 'MODIFY') return undefined;
  const { NewImage, OldImage } = record.dynamodb ?? {};
  if (!NewImage || !OldImage) return undefined;
  const next = unmarshall(NewImage as never);
  const before = unmarshall(OldImage as never);
  if (next.sk !== 'PRODUCT' || !String(next.pk).startsWith('PRODUCT#')) return undefined;
  const seq = Number(next.seq ?? 0);
  const seenSeq = Number(before.seq ?? 0);
  if (seq <= seenSeq) return undefined;
  return {
    productId: Number(next.product_id),
    seenSeq,
    seenOnHand: Number(before.on_hand ?? 0),
    seq,
    onHand: Number(next.on_hand ?? 0),
    writeId: String(next.last_write),
  };
}

export interface MovementPage {
  movements: MovementRecord[];
  /** The sequence number to start the next page at, when more may follow. */
  nextSeq?: number;
}

/**
 * Most movements one write of one product holds: one per lot and cause. The most is a write-off of
 * one product: a line without a lot for each of the 6 reasons, each taking from up to 41 lots, and
 * as many lines naming lots (under 500); a batch of fills holds at most 48 fills plus 41 lots.
 */
const MOST_PER_ITEM = 500;

/**
 * A product's movements from `fromSeq` on, in sequence (commit) order, at most `limit`. A page
 * starts at most one item before `fromSeq` (an item holds the movements of one write, at most
 * MOST_PER_ITEM), so a walk never repeats or skips one.
 */
export async function readMovements(productId: number, fromSeq: number, limit: number): Promise<MovementPage> {
  const movements: MovementRecord[] = [];
  const items = queryItems({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': productKey(productId).pk,
      ':from': movementKey(productId, Math.max(0, fromSeq - MOST_PER_ITEM + 1)).sk,
      ':to': `${MOVE_PREFIX}~`,
    },
  });
  for await (const item of items) {
    for (const m of movementsFromItem(item)) {
      if (m.seq < fromSeq) continue;
      if (movements.length === limit) return { movements, nextSeq: m.seq };
      movements.push(m);
    }
  }
  return { movements };
}

/**
 * The shipment events the shipment movements among `movements` shipped in, keyed by
 * `shipmentEventKey`. A movement names its event when it was committed with it (one BatchGet for
 * all); units a large change took in parts were packed later, so their event is found by the
 * request that took them (a Query of the order's partition, rare: changes of over 48 lines).
 */
export async function shipmentEventsOf(
  movements: MovementRecord[],
): Promise<Map<string, ShipmentEvent & { orderId: OrderId }>> {
  const out = new Map<string, ShipmentEvent & { orderId: OrderId }>();
  const causes = movements.flatMap((m) => (m.cause.kind === 'shipment' ? [m.cause] : []));
  const named = causes.filter((c) => c.eventId !== undefined);
  for (const item of await batchGet(named.map((c) => shipmentKey(c.orderKey, c.eventId!)))) {
    const event = shipmentFromItem(item);
    out.set(shipmentEventKey(orderIdKey(event.orderId), event.requestId, event.eventId), event);
  }
  for (const cause of causes.filter((c) => c.eventId === undefined)) {
    const key = shipmentEventKey(cause.orderKey, cause.requestId);
    if (out.has(key)) continue;
    const items = queryItems({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
      FilterExpression: 'request_id = :r',
      ExpressionAttributeValues: { ':pk': orderPartition(cause.orderKey), ':s': SHIP_PREFIX, ':r': cause.requestId },
    });
    for await (const item of items) out.set(key, shipmentFromItem(item));
  }
  return out;
}

/** How `shipmentEventsOf` keys an event: by the event when the movement names it, else by the request. */
export const shipmentEventKey = (orderKey: string, requestId: string, eventId?: string) =>
  eventId === undefined ? `${orderKey}\u0000${requestId}` : `${orderKey}\u0000${requestId}\u0000${eventId}`;
