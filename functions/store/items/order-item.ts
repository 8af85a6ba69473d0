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
        shipped: toQuantityMap(withEveryProduct(order.requested, order.shipped)),
        backordered: toQuantityMap(withEveryProduct(order.requested, order.backordered)),
        unprocessed: toQuantityMap(order.unprocessed ?? new Map()),
        unpacked: {},
        ...(order.attentionDueAt ? attentionAttributes(key.pk, order.attentionDueAt) : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Every requested product gets an entry (0 if none), so later updates need no if_not_exists. */
function withEveryProduct(requested: Quantities, values: Quantities): Quantities {
  return new Map([...requested.keys()].map((p) => [p, values.get(p) ?? 0]));
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

/**
 * Lines one order update may touch: DynamoDB caps an expression at 4 KB, and each line costs
 * about 70 characters. Larger changes go in parts (see use-cases/large-changes.ts).
 */
export const MAX_LINES_PER_ORDER_UPDATE = 40;

/**
 * Adds to an existing order's totals. The maps hold every requested product from creation on,
 * so a plain `a = a + :n` works and keeps the expression short. Processed lines are
 * conditioned so no line of a large order is allocated twice.
 */
export function changeOrderTotals(orderKey: string, change: TotalsChange): TransactionItem {
  // Top-level names go through placeholders too: several (e.g. `unprocessed`) are reserved words.
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  const conditions = ['attribute_exists(pk)'];
  const top = (name: 'shipped' | 'backordered' | 'unprocessed' | 'unpacked') => {
    const n = `#${name}`;
    names[n] = name;
    return n;
  };
  const nameOf = (p: number) => {
    const n = `#${p}`;
    names[n] = String(p);
    return n;
  };
  for (const [p, q] of change.shipped) {
    if (q === 0) continue;
    const n = nameOf(p);
    values[`:s${p}`] = q;
    sets.push(`${top('shipped')}.${n} = ${top('shipped')}.${n} + :s${p}`);
  }
  for (const [p, q] of change.backordered) {
    if (q === 0) continue;
    const n = nameOf(p);
    values[`:b${p}`] = q;
    sets.push(`${top('backordered')}.${n} = ${top('backordered')}.${n} + :b${p}`);
  }
  for (const p of change.processedLines ?? []) {
    const n = nameOf(p);
    removes.push(`${top('unprocessed')}.${n}`);
    conditions.push(`attribute_exists(${top('unprocessed')}.${n})`);
  }
  const unpacked = [...change.shipped].filter(([, q]) => q > 0);
  if (change.unpackedKey && unpacked.length > 0) {
    names['#uk'] = change.unpackedKey;
    values[':unpacked'] = toQuantityMap(new Map(unpacked));
    sets.push(`${top('unpacked')}.#uk = :unpacked`);
  }
  if (change.attentionDueAt) {
    const attention = attentionAttributes(orderKeyOf(orderKey).pk, change.attentionDueAt);
    values[':apk'] = attention.attention_pk;
    values[':ask'] = attention.attention_sk;
    sets.push('attention_pk = :apk', 'attention_sk = :ask');
  }
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
  const names: Record<string, string> = {
    '#unpacked': 'unpacked',
    ...Object.fromEntries(keys.map((k, i) => [`#u${i}`, k])),
  };
  const conditions = keys.map((_, i) => `attribute_exists(#unpacked.#u${i})`);
  if (creation) {
    names['#unprocessed'] = 'unprocessed';
    conditions.push('size(#unprocessed) = :zero');
  }
  return {
    Update: {
      TableName: tableName(),
      Key: orderKeyOf(orderKey),
      UpdateExpression: `REMOVE ${keys.map((_, i) => `#unpacked.#u${i}`).join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ...(creation ? { ExpressionAttributeValues: { ':zero': 0 } } : {}),
    },
  };
}
