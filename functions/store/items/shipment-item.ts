/**
 * ShipmentItem: ORDER#<orderKey> / SHIP#<eventId>. The packages one request shipped to one
 * order, as grouped patterns (10,000 identical boxes stay one short line). Event ids start with
 * the time, so a Query on the order's partition returns them oldest first.
 *
 * Size by construction: the patterns are one string, `mass*count:i=q,i=q;...` where `i` indexes
 * `product_ids`. An event ships units of one order, at most 10,000 (SPEC), so it has at most
 * 10,000 patterns (each ships a unit) and 10,000 pattern lines (each line carries a unit). A
 * pattern costs at most 12 characters (`1800*10000:;`) and a line 9 (`99=10000,`): at most
 * 210,000 characters, about half of DynamoDB's 400 KB item limit, whatever the product ids.
 */
import type { OrderId } from '../../domain/order-id.js';
import type { ShipmentEvent } from '../../domain/order-record.js';
import type { PackagePattern } from '../../domain/packing.js';
import { tableName } from '../../commons/dynamodb.js';
import { shipmentKey } from '../keys.js';
import { lotsFromMap, lotsToMap } from './lot-lines.js';
import type { TransactionItem } from '../transactions.js';

export function shipmentFromItem(item: Record<string, unknown>): ShipmentEvent & { orderId: OrderId } {
  return {
    orderId: item.order_id as OrderId,
    eventId: String(item.event_id),
    requestId: String(item.request_id),
    shippedAt: String(item.shipped_at),
    patterns: decodePatterns(String(item.patterns), (item.product_ids as unknown[]).map(Number)),
    ...(item.lots ? { lots: lotsFromMap(item.lots) } : {}),
  };
}

export function putShipment(orderKey: string, orderId: OrderId, event: ShipmentEvent): TransactionItem {
  const { text, productIds } = encodePatterns(event.patterns);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...shipmentKey(orderKey, event.eventId),
        order_id: orderId,
        event_id: event.eventId,
        request_id: event.requestId,
        shipped_at: event.shippedAt,
        product_ids: productIds,
        patterns: text,
        // Per product its lots in FEFO order, at most one entry per lot taken (bounded like the
        // ledger's movements of the same write).
        ...(event.lots && event.lots.size > 0 ? { lots: lotsToMap(event.lots) } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export function encodePatterns(patterns: PackagePattern[]): { text: string; productIds: number[] } {
  const productIds = [...new Set(patterns.flatMap((p) => p.lines.map((l) => l.product_id)))].sort((a, b) => a - b);
  const index = new Map(productIds.map((id, i) => [id, i]));
  const text = patterns
    .map((p) => `${p.mass_g}*${p.count}:${p.lines.map((l) => `${index.get(l.product_id)}=${l.quantity}`).join(',')}`)
    .join(';');
  return { text, productIds };
}

export function decodePatterns(text: string, productIds: number[]): PackagePattern[] {
  if (text === '') return [];
  return text.split(';').map((pattern) => {
    const [head = '', body = ''] = pattern.split(':');
    const [mass, count] = head.split('*').map(Number);
    const lines = body.split(',').map((line) => {
      const [i, quantity] = line.split('=').map(Number);
      return { product_id: productIds[i!]!, quantity: quantity! };
    });
    return { mass_g: mass!, count: count!, lines };
  });
}
