/**
 * The order lists of SPEC v2, read without a Scan, and the filing of settled orders.
 *
 *   waiting, for one product   the product's queue entries (PRODUCT#<id> / WAIT#<queue key>):
 *                              strongly consistent, in the product's serve order
 *   waiting, all products      the queue entries in the `attention` index (WAITING#<shard>,
 *                              sorted by queue key), merged over the shards, each order once
 *   fulfilled, cancelled, all  the OrderItems in the `order_lists` index (OPEN#, FULFILLED#,
 *                              CANCELLED#<shard>, sorted by creation time), merged newest first
 *
 * Queue keys start with the priority rank, then the creation time, so serve order is sort order
 * and a priority is a key prefix. Creation-time lists filter by priority and product on the
 * index's copy of the order (a FilterExpression): those reads cost what they pass over, and a
 * page that has read its budget ends short with a cursor (see merged-partitions.ts).
 *
 * An order is open from its creation until it is settled (fulfilled or cancelled, every unit
 * packed): then the stream's follower (use-cases/publish-events.ts) files it with its final
 * summary. An order that its creation fulfils is filed at once (items/order-item.ts). The lists of
 * settled orders are therefore eventually consistent, a moment behind the writes, like the ledger.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import type { OrderSummary } from '../domain/order-summary.js';
import { type Priority, priorityRank } from '../domain/priority.js';
import { fileSettledOrder, settledSummaryOfItem } from './items/order-item.js';
import {
  type OrderList,
  orderKeyOfQueueKey,
  orderListPartitions,
  PRODUCT_PREFIX,
  WAIT_PREFIX,
  waitingPartitions,
} from './keys.js';
import { mergePartitions, type PartitionPage } from './merged-partitions.js';
import { ATTENTION_INDEX, ORDER_LISTS_INDEX } from './table-definition.js';
import { forEachConcurrently, isConditionFailure } from './transactions.js';

/** One order of a page: its key, and its final summary if it is settled (open orders are read whole). */
export interface ListedOrder {
  orderKey: string;
  summary?: OrderSummary;
}

export interface OrderListPage {
  orders: ListedOrder[];
  /** The sort key to go on after; undefined on the last page. */
  next?: string;
}

export interface WaitingQuery {
  productId?: number;
  priority?: Priority;
  /** A queue key: list the orders served after it. */
  after?: string;
  limit: number;
}

/** Reads a page may make after its first round, so that a filtered page ends in bounded time. */
const MAX_READS = 40;

/** Orders with units waiting, in the order restocks serve them. */
export async function waitingOrders(q: WaitingQuery): Promise<OrderListPage> {
  const prefix = q.priority === undefined ? '' : `${priorityRank(q.priority)}#`;
  const product = q.productId;
  const page = await mergePartitions<string>({
    // One product: its queue, strongly consistent. All products: the index's shards (keys only:
    // the queue key is the index's sort key, and it names the order).
    partitions: product === undefined ? waitingPartitions() : [`${PRODUCT_PREFIX}${product}`],
    read: async (partition, start, limit) => {
      const read =
        product === undefined
          ? await readRange({
              index: ATTENTION_INDEX,
              partition,
              start,
              limit,
              ascending: true,
              prefix,
              ...(q.after === undefined ? {} : { after: q.after }),
            })
          : await readRange({
              index: { partitionKey: 'pk', sortKey: 'sk' },
              partition,
              start,
              limit,
              ascending: true,
              prefix: `${WAIT_PREFIX}${prefix}`,
              ...(q.after === undefined ? {} : { after: `${WAIT_PREFIX}${q.after}` }),
              listKey: (sk) => sk.slice(WAIT_PREFIX.length),
            });
      const queueKeyOf = (item: Record<string, unknown>) =>
        product === undefined ? String(item.attention_sk) : String(item.sk).slice(WAIT_PREFIX.length);
      return { ...read, items: read.items.map(queueKeyOf) };
    },
    sortKey: (queueKey) => queueKey,
    ascending: true,
    limit: q.limit,
    identity: orderKeyOfQueueKey,
    maxReads: MAX_READS,
  });
  return {
    orders: page.items.map((queueKey) => ({ orderKey: orderKeyOfQueueKey(queueKey) })),
    ...(page.next === undefined ? {} : { next: page.next }),
  };
}

export interface FiledQuery {
  /** Absent: every order, open or settled. */
  list?: Exclude<OrderList, 'open'>;
  /** Orders that requested this product. */
  productId?: number;
  priority?: Priority;
  /** A creation sort key (time, then order key): list the orders created before it. */
  before?: string;
  limit: number;
}

/** Orders newest first: settled ones of one list, or all of them. */
export async function filedOrders(q: FiledQuery): Promise<OrderListPage> {
  const lists: OrderList[] = q.list ? [q.list] : ['open', 'fulfilled', 'cancelled'];
  const filters: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (q.productId !== undefined) {
    filters.push('attribute_exists(requested.#product)');
    names['#product'] = String(q.productId);
  }
  if (q.priority !== undefined) {
    filters.push('begins_with(queue_key, :rank)');
    values[':rank'] = `${priorityRank(q.priority)}#`;
  }
  const page = await mergePartitions<Record<string, unknown>>({
    partitions: lists.flatMap(orderListPartitions),
    read: (partition, start, limit) =>
      readRange({
        index: ORDER_LISTS_INDEX,
        partition,
        start,
        limit,
        ascending: false,
        prefix: '',
        ...(q.before === undefined ? {} : { after: q.before }),
        ...(filters.length > 0 ? { filter: { expression: filters.join(' AND '), names, values } } : {}),
      }),
    sortKey: (item) => String(item.list_sk),
    ascending: false,
    limit: q.limit,
    identity: (item) => String(item.order_key),
    maxReads: MAX_READS,
  });
  return {
    orders: page.items.map((item) => {
      const summary = settledSummaryOfItem(item);
      return { orderKey: String(item.order_key), ...(summary ? { summary } : {}) };
    }),
    ...(page.next === undefined ? {} : { next: page.next }),
  };
}

export interface SettledOrder {
  orderKey: string;
  queueKey: string;
  summary: OrderSummary;
}

/** Files settled orders in their lists; an order filed already is left as it is. */
export async function fileSettledOrders(orders: SettledOrder[]): Promise<void> {
  await forEachConcurrently(orders, 8, async (o) => {
    try {
      await documentClient().send(new UpdateCommand(fileSettledOrder(o.orderKey, o.queueKey, o.summary).Update!));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  });
}

interface RangeRead {
  /** The base table (`pk`, `sk`) or an index. */
  index: { name?: string; partitionKey: string; sortKey: string };
  partition: string;
  start: Record<string, unknown> | undefined;
  limit: number;
  ascending: boolean;
  /** Only sort keys that begin with this ('' for all). */
  prefix: string;
  /** Only sort keys after this one in the read's direction. */
  after?: string;
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
  /** The list's sort key of a read's sort key (a queue entry's `sk` is its queue key behind a prefix). */
  listKey?: (sortKey: string) => string;
}

/**
 * One Query of a sort-key range. `after` with a prefix is a BETWEEN, which includes its bounds:
 * the item at `after` itself is dropped here. A range that is empty (a cursor outside the prefix)
 * reads nothing rather than ask DynamoDB for a reversed BETWEEN, which it refuses.
 */
async function readRange(r: RangeRead): Promise<PartitionPage<Record<string, unknown>>> {
  const values: Record<string, unknown> = { ':p': r.partition, ...r.filter?.values };
  let range = '';
  if (r.after !== undefined && r.prefix === '') {
    range = ` AND #s ${r.ascending ? '>' : '<'} :after`;
    values[':after'] = r.after;
  } else if (r.after !== undefined) {
    const top = `${r.prefix}\uffff`;
    // Sort keys are strings: the later of two is the greater by code unit, as DynamoDB orders ASCII keys.
    const [low, high] = r.ascending ? [[r.after, r.prefix].sort()[1]!, top] : [r.prefix, [r.after, top].sort()[0]!];
    if (low > high) return { items: [] };
    range = ' AND #s BETWEEN :low AND :high';
    values[':low'] = low;
    values[':high'] = high;
  } else if (r.prefix !== '') {
    range = ' AND begins_with(#s, :prefix)';
    values[':prefix'] = r.prefix;
  }
  const res = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      ...(r.index.name ? { IndexName: r.index.name } : { ConsistentRead: true }),
      KeyConditionExpression: `#p = :p${range}`,
      ...(r.filter ? { FilterExpression: r.filter.expression } : {}),
      ExpressionAttributeNames: {
        '#p': r.index.partitionKey,
        ...(range ? { '#s': r.index.sortKey } : {}),
        ...r.filter?.names,
      },
      ExpressionAttributeValues: values,
      ScanIndexForward: r.ascending,
      Limit: r.limit,
      ...(r.start ? { ExclusiveStartKey: r.start } : {}),
    }),
  );
  const items = ((res.Items ?? []) as Record<string, unknown>[]).filter((item) => item[r.index.sortKey] !== r.after);
  const next = res.LastEvaluatedKey as Record<string, unknown> | undefined;
  const listKey = r.listKey ?? ((key: string) => key);
  return next ? { items, next, readUpTo: listKey(String(next[r.index.sortKey])) } : { items };
}
