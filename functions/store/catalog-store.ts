/** The catalog: products by id, the catalog listed page by page, upserts and id assignment. */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import type { StockedProduct } from '../domain/model.js';
import { batchGet } from './batch-get.js';
import { CATALOG_PARTITION, catalogSortKey, PRODUCT_PREFIX, productCounterKey, productKey } from './keys.js';
import {
  type CatalogEntry,
  createProduct,
  type MarkedProduct,
  markedProductFromItem,
  upsertProduct,
} from './items/product-item.js';
import { CATALOG_INDEX } from './table-definition.js';
import { chunk, commit, isConditionFailure, MAX_TRANSACTION_ITEMS } from './transactions.js';

export type { CatalogEntry, MarkedProduct };

/** Strongly consistent: stock decisions are made on these values. */
export async function getProducts(ids: Iterable<number>): Promise<Map<number, StockedProduct>> {
  const withMarkers = await getProductsWithMarkers(ids);
  return new Map([...withMarkers].map(([id, { product }]) => [id, product]));
}

/** Products with their sweeper marker (the sweeper clears markers it has made obsolete). */
export async function getProductsWithMarkers(ids: Iterable<number>): Promise<Map<number, MarkedProduct>> {
  const items = await batchGet([...new Set(ids)].map(productKey));
  return new Map(items.map((item) => [Number(item.product_id), markedProductFromItem(item)]));
}

export interface CatalogPage {
  products: StockedProduct[];
  /** The last product id of this page when more may follow. */
  lastId?: number;
}

/**
 * One page of the catalog in id order, after `afterId`: the keys-only index gives the ids
 * without a Scan, then a consistent BatchGet gives current stock (an index is eventually
 * consistent; quantities must not be). Pages follow the id order, so a walk never repeats or
 * skips a product that existed for the whole walk.
 */
export async function listProducts(limit: number, afterId?: number): Promise<CatalogPage> {
  const after = afterId === undefined ? undefined : catalogSortKey(afterId);
  const res = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: CATALOG_INDEX.name,
      KeyConditionExpression: after === undefined ? '#pk = :c' : '#pk = :c AND #sk > :after',
      ExpressionAttributeNames: {
        '#pk': CATALOG_INDEX.partitionKey,
        ...(after === undefined ? {} : { '#sk': CATALOG_INDEX.sortKey }),
      },
      ExpressionAttributeValues: { ':c': CATALOG_PARTITION, ...(after === undefined ? {} : { ':after': after }) },
      Limit: limit,
    }),
  );
  const ids = (res.Items ?? []).map((item) => Number(String(item.pk).slice(PRODUCT_PREFIX.length)));
  const products = await getProducts(ids);
  const page = ids.flatMap((id) => (products.has(id) ? [products.get(id)!] : []));
  return { products: page, ...(res.LastEvaluatedKey ? { lastId: ids[ids.length - 1] } : {}) };
}

/** Upserts: name and mass change, stock never does. Each transaction holds at most 100 products. */
export async function upsertProducts(entries: CatalogEntry[]): Promise<void> {
  for (const part of chunk(entries, MAX_TRANSACTION_ITEMS)) {
    const result = await commit(part.map(upsertProduct));
    if (!result.ok) throw result.cancelled;
  }
}

/**
 * Creates products whose ids the service chose. Answers the entries whose id was already taken
 * (by an explicit upsert); every other entry is created. A taken id fails its whole transaction,
 * so the others of that transaction are tried again without it.
 */
export async function createProducts(entries: CatalogEntry[]): Promise<CatalogEntry[]> {
  const taken: CatalogEntry[] = [];
  let pending = entries;
  while (pending.length > 0) {
    const retry: CatalogEntry[] = [];
    for (const part of chunk(pending, MAX_TRANSACTION_ITEMS)) {
      const result = await commit(part.map(createProduct));
      if (result.ok) continue;
      part.forEach((entry, i) => {
        (result.cancelled.failedAt(i) ? taken : retry).push(entry);
      });
    }
    pending = retry;
  }
  return taken;
}

/**
 * Ids are assigned below 2^52, so that the counter, moved past explicit ids, never passes
 * 2^53 - 1 (the largest id, and JavaScript's largest safe integer) however many are assigned.
 */
export const ASSIGNED_ID_CEILING = 2 ** 52;

/** Reserves `count` new product ids. Ids already taken by explicit upserts are reported by `createProducts`. */
export async function reserveProductIds(count: number): Promise<number[]> {
  const res = await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: productCounterKey,
      UpdateExpression: 'ADD next_id :n',
      ExpressionAttributeValues: { ':n': count },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const end = Number(res.Attributes?.next_id);
  return Array.from({ length: count }, (_, i) => end - count + i);
}

/**
 * Moves the counter past explicitly given ids, so assigned ids rarely collide with them. Ids at
 * or above ASSIGNED_ID_CEILING do not move it: assigned ids stay below that line.
 */
export async function advanceProductIdsPast(maxId: number): Promise<void> {
  if (maxId >= ASSIGNED_ID_CEILING) return;
  const next = maxId + 1;
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: productCounterKey,
        UpdateExpression: 'SET next_id = :n',
        ConditionExpression: 'attribute_not_exists(next_id) OR next_id < :n',
        ExpressionAttributeValues: { ':n': next },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
