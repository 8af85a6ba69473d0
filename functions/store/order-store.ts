/** Reads of orders and of product queues. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import type { QueueEntry } from '../domain/allocation.js';
import type { OrderRecord, ShipmentEvent } from '../domain/order-record.js';
import { orderKeyOf, orderPartition, productKey, SHIP_PREFIX, WAIT_PREFIX } from './keys.js';
import { orderFromItem } from './items/order-item.js';
import { shipmentFromItem } from './items/shipment-item.js';
import { waitFromItem } from './items/wait-item.js';
import { partitionItems, queryItems } from './query.js';

export type StoredOrder = OrderRecord & { queueKey?: string };

/** The order and all its shipments in one (paginated) strongly consistent Query. */
export async function getOrderWithShipments(
  orderKey: string,
): Promise<{ order: StoredOrder; events: ShipmentEvent[] } | undefined> {
  let order: StoredOrder | undefined;
  const events: ShipmentEvent[] = [];
  for await (const item of partitionItems(orderPartition(orderKey))) {
    if (item.sk === 'ORDER') order = orderFromItem(item);
    else if (String(item.sk).startsWith(SHIP_PREFIX)) events.push(shipmentFromItem(item));
  }
  return order ? { order, events } : undefined;
}

export async function getOrder(orderKey: string): Promise<StoredOrder | undefined> {
  const res = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: orderKeyOf(orderKey), ConsistentRead: true }),
  );
  return res.Item ? orderFromItem(res.Item) : undefined;
}

/**
 * The product's waiting orders, oldest first, enough of them to use `units` units (a drain
 * never needs more). Strongly consistent, on the base table: FIFO decisions are made on it.
 */
export async function readQueue(productId: number, units: number): Promise<QueueEntry[]> {
  const entries: QueueEntry[] = [];
  let covered = 0;
  const queue = queryItems({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :w)',
    ExpressionAttributeValues: { ':pk': productKey(productId).pk, ':w': WAIT_PREFIX },
    ConsistentRead: true,
    Limit: 100,
  });
  for await (const item of queue) {
    const entry = waitFromItem(item);
    entries.push(entry);
    covered += entry.remaining;
    if (covered >= units) break;
  }
  return entries;
}
