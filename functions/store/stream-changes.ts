/**
 * The table's stream, read back as the domain's changes: the only place outside the item modules
 * that knows which item is which. A stream record carries one item's image as it committed (a
 * transaction's items arrive as separate records, each after the whole transaction committed);
 * the publisher (use-cases/publish-events.ts) asks the domain which events each change makes.
 *
 *   ShipmentItem inserted  ORDER#<key> / SHIP#<event>  -> `shipped`: packages, and the order may be settled
 *   CancelItem inserted    ORDER#<key> / CANCEL#<n>    -> `cancel-part`: the order may be settled
 *   MovementItem inserted  PRODUCT#<id> / MOVE#<seq>   -> `stock-moved`: write-offs among them
 *
 * Everything else (products, queue entries, orders, parts, restocks, their removals by TTL) is
 * no change anyone is told about, and reads as `undefined`.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { MovementRecord } from '../domain/movement.js';
import type { OrderId } from '../domain/order-id.js';
import type { ShipmentEvent } from '../domain/order-record.js';
import { movementsFromItem } from './items/movement-item.js';
import { shipmentFromItem } from './items/shipment-item.js';
import { CANCEL_PREFIX, MOVE_PREFIX, ORDER_PREFIX, RECALL_PREFIX, SHIP_PREFIX } from './keys.js';
import { PUBLISHED_EVENT_NAME } from './stream-filter.js';

/**
 * A record of the table's stream, in the shape both Lambda's DynamoDB stream event and the
 * DynamoDB Streams API (`npm start`) deliver it: images as attribute-value maps.
 */
export interface StreamRecord {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, unknown> };
}

export type StoredChange =
  | { kind: 'shipped'; orderKey: string; orderId: OrderId; event: ShipmentEvent }
  | { kind: 'cancel-part'; orderKey: string }
  | { kind: 'stock-moved'; movements: MovementRecord[] }
  | { kind: 'lot-recalled'; productId: number; lot: string; at: string };

export function changeOfStreamRecord(record: StreamRecord): StoredChange | undefined {
  // These items are written once and never changed: only their insert is news. A MODIFY would
  // be a rewrite of the same fact (an import over existing data), a REMOVE a deletion.
  if (record.eventName !== PUBLISHED_EVENT_NAME) return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  const pk = String(item.pk);
  const sk = String(item.sk);
  if (pk.startsWith(ORDER_PREFIX) && sk.startsWith(SHIP_PREFIX)) {
    const { orderId, ...event } = shipmentFromItem(item);
    return { kind: 'shipped', orderKey: pk.slice(ORDER_PREFIX.length), orderId, event };
  }
  if (pk.startsWith(ORDER_PREFIX) && sk.startsWith(CANCEL_PREFIX)) {
    return { kind: 'cancel-part', orderKey: pk.slice(ORDER_PREFIX.length) };
  }
  if (sk.startsWith(MOVE_PREFIX)) return { kind: 'stock-moved', movements: movementsFromItem(item) };
  if (sk.startsWith(RECALL_PREFIX)) {
    return { kind: 'lot-recalled', productId: Number(item.product_id), lot: String(item.lot), at: String(item.at) };
  }
  return undefined;
}
