/**
 * ShipmentItem: ORDER#<orderKey> / SHIP#<eventId>. The packages one request shipped to one
 * order, stored as grouped patterns (10,000 identical boxes stay one small item). Event ids
 * start with the time, so a Query on the order's partition returns them oldest first.
 */
import { randomUUID } from 'node:crypto';
import type { ShipmentEvent } from '../../domain/order-record.js';
import type { OrderId } from '../../domain/order-id.js';
import type { PackagePattern } from '../../domain/packing.js';
import { tableName } from '../../commons/dynamodb.js';
import { shipmentKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';

export function newEventId(now = Date.now()): string {
  return `${now.toString(36).padStart(9, '0')}${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}

export function shipmentFromItem(item: Record<string, unknown>): ShipmentEvent & { orderId: OrderId } {
  return {
    orderId: item.order_id as OrderId,
    eventId: String(item.event_id),
    requestId: String(item.request_id),
    shippedAt: String(item.shipped_at),
    patterns: (item.patterns as PackagePattern[]).map((p) => ({
      mass_g: Number(p.mass_g),
      count: Number(p.count),
      lines: p.lines.map((l) => ({ product_id: Number(l.product_id), quantity: Number(l.quantity) })),
    })),
  };
}

export function putShipment(orderKey: string, orderId: OrderId, event: ShipmentEvent): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...shipmentKey(orderKey, event.eventId),
        order_id: orderId,
        event_id: event.eventId,
        request_id: event.requestId,
        shipped_at: event.shippedAt,
        patterns: event.patterns,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
