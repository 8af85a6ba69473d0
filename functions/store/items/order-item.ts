/**
 * OrderItem: ORDER#<orderKey> / ORDER. An order's requested lines and its per-product totals,
 * as maps keyed by product id. Its ShipmentItems share the partition, so one Query reads the
 * whole order.
 */
import type { OrderRecord } from '../../domain/order-record.js';
import type { Quantities } from '../../domain/model.js';
import type { OrderId } from '../../domain/order-id.js';
import { tableName } from '../../commons/dynamodb.js';
import { attentionAttributes, orderKeyOf } from '../keys.js';
import type { TransactionItem } from '../transactions.js';

type QuantityMap = Record<string, number>;

export function toQuantityMap(quantities: Quantities): QuantityMap {
  const out: QuantityMap = {};
  for (const [p, q] of quantities) out[String(p)] = q;
  return out;
}

export function fromQuantityMap(map: unknown): Quantities {
  const out: Quantities = new Map();
  for (const [p, q] of Object.entries((map ?? {}) as QuantityMap)) out.set(Number(p), Number(q));
  return out;
}

export function orderFromItem(item: Record<string, unknown>): OrderRecord & { queueKey?: string } {
  const unpacked = new Map<string, Quantities>();
  for (const [req, map] of Object.entries((item.unpacked ?? {}) as Record<string, QuantityMap>)) {
    unpacked.set(req, fromQuantityMap(map));
  }
  return {
    orderId: item.order_id as OrderId,
    orderKey: String(item.order_key),
    createdAt: String(item.created_at),
    queueKey: item.queue_key === undefined ? undefined : String(item.queue_key),
    requested: fromQuantityMap(item.requested),
    shipped: fromQuantityMap(item.shipped),
    backordered: fromQuantityMap(item.backordered),
    unprocessed: fromQuantityMap(item.unprocessed),
    unpacked,
  };
}

export interface NewOrder {
  orderId: OrderId;
  orderKey: string;
  createdAt: string;
  queueKey?: string;
  requested: Quantities;
  shipped: Quantities;
  backordered: Quantities;
  /** Set when the creation needs several transactions: lines still to allocate. */
  unprocessed?: Quantities;
  /** When the sweeper should finish a creation that was cut short. */
  attentionDueAt?: string;
}

/** The order's first write: `attribute_not_exists` is what makes a replayed order_id change nothing. */
export function putNewOrder(order: NewOrder): TransactionItem {
  const key = orderKeyOf(order.orderKey);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...key,
        order_id: order.orderId,
        order_key: order.orderKey,
        created_at: order.createdAt,
        ...(order.queueKey ? { queue_key: order.queueKey } : {}),
        requested: toQuantityMap(order.requested),
        shipped: toQuantityMap(order.shipped),
        backordered: toQuantityMap(order.backordered),
        unprocessed: toQuantityMap(order.unprocessed ?? new Map()),
        unpacked: {},
        ...(order.attentionDueAt ? attentionAttributes(key.pk, order.attentionDueAt) : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Request id of the units an order ships at its creation. */
export const CREATION_REQUEST = 'order';

/**
 * Units allocated by one transaction of a large change and not packed yet are kept under
 * `unpacked["<requestId>#<part>"]`: a fresh key per transaction, so no part overwrites another.
 */
export const unpackedKey = (requestId: string, part: string) => `${requestId}#${part}`;
export const requestOfUnpackedKey = (key: string) => key.slice(0, key.lastIndexOf('#'));

export interface TotalsChange {
  /** product id -> units shipped now */
  shipped: Quantities;
  /** product id -> change of the units waiting (positive: new backorder; negative: filled) */
  backordered: Quantities;
  /** Lines of a large order's creation this change allocates (removed from `unprocessed`). */
  processedLines?: number[];
  /** Record the shipped units as not yet packed under this key (see `unpackedKey`). */
  unpackedKey?: string;
  /** Ask the sweeper to look at this order after this time, should the change be cut short. */
  attentionDueAt?: string;
}

/** Adds to an existing order's totals. Processed lines are conditioned so no line is allocated twice. */
export function changeOrderTotals(orderKey: string, change: TotalsChange): TransactionItem {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const conditions = ['attribute_exists(pk)'];
  let i = 0;
  const nameOf = (p: number) => {
    const n = `#p${i++}`;
    names[n] = String(p);
    return n;
  };
  for (const [p, q] of change.shipped) {
    if (q === 0) continue;
    const n = nameOf(p);
    values[`:s${n.slice(2)}`] = q;
    sets.push(`shipped.${n} = if_not_exists(shipped.${n}, :zero) + :s${n.slice(2)}`);
  }
  for (const [p, q] of change.backordered) {
    if (q === 0) continue;
    const n = nameOf(p);
    values[`:b${n.slice(2)}`] = q;
    sets.push(`backordered.${n} = if_not_exists(backordered.${n}, :zero) + :b${n.slice(2)}`);
  }
  for (const p of change.processedLines ?? []) {
    const n = nameOf(p);
    removes.push(`unprocessed.${n}`);
    conditions.push(`attribute_exists(unprocessed.${n})`);
  }
  const unpacked = [...change.shipped].filter(([, q]) => q > 0);
  if (change.unpackedKey && unpacked.length > 0) {
    names['#uk'] = change.unpackedKey;
    values[':unpacked'] = toQuantityMap(new Map(unpacked));
    sets.push('unpacked.#uk = :unpacked');
  }
  if (change.attentionDueAt) {
    const attention = attentionAttributes(orderKeyOf(orderKey).pk, change.attentionDueAt);
    values[':apk'] = attention.attention_pk;
    values[':ask'] = attention.attention_sk;
    sets.push('attention_pk = :apk', 'attention_sk = :ask');
  }
  // DynamoDB refuses unused expression values, so :zero goes in only when a total is touched.
  if (sets.some((x) => x.includes(':zero'))) values[':zero'] = 0;
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    Update: {
      TableName: tableName(),
      Key: orderKeyOf(orderKey),
      UpdateExpression: expression || 'SET order_key = order_key',
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    },
  };
}

/**
 * Packing what a request left unpacked: removing its parts is the guard against packing them
 * twice. The creation's units are packed only once every line is allocated.
 */
export function finishUnpacked(orderKey: string, keys: string[], creation: boolean): TransactionItem {
  const names = Object.fromEntries(keys.map((k, i) => [`#u${i}`, k]));
  const conditions = keys.map((_, i) => `attribute_exists(unpacked.#u${i})`);
  if (creation) conditions.push('size(unprocessed) = :zero');
  return {
    Update: {
      TableName: tableName(),
      Key: orderKeyOf(orderKey),
      UpdateExpression: `REMOVE ${keys.map((_, i) => `unpacked.#u${i}`).join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ...(creation ? { ExpressionAttributeValues: { ':zero': 0 } } : {}),
    },
  };
}
