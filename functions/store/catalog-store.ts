/** Reads of products, and the catalog's id counter. The only module that lists the catalog. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import type { StockedProduct } from '../domain/model.js';
import { batchGet } from './batch-get.js';
import { CATALOG_PARTITION, productCounterKey, productKey } from './keys.js';
import { productFromItem } from './items/product-item.js';
import { queryItems } from './query.js';
import { CATALOG_INDEX } from './table-definition.js';
import { isConditionFailure } from './transactions.js';

/** Strongly consistent: stock decisions are made on these values. */
export async function getProducts(ids: Iterable<number>): Promise<Map<number, StockedProduct>> {
  const withMarkers = await getProductsWithMarkers(ids);
  return new Map([...withMarkers].map(([id, { product }]) => [id, product]));
}

/**
 * The whole catalog: the keys-only index gives the ids without a Scan, then a consistent
 * BatchGet gives current stock (an index is eventually consistent; quantities must not be).
 */
export async function listProducts(): Promise<StockedProduct[]> {
  const ids: number[] = [];
  const catalog = queryItems({
    IndexName: CATALOG_INDEX.name,
    KeyConditionExpression: '#pk = :c',
    ExpressionAttributeNames: { '#pk': CATALOG_INDEX.partitionKey },
    ExpressionAttributeValues: { ':c': CATALOG_PARTITION },
  });
  for await (const item of catalog) ids.push(Number(String(item.pk).slice('PRODUCT#'.length)));
  const products = await getProducts(ids);
  return [...products.values()].sort((a, b) => a.product_id - b.product_id);
}

/** Reserves `count` new product ids. Ids already taken by explicit upserts are skipped by the caller's condition. */
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

/** Moves the counter past explicitly given ids, so assigned ids rarely collide with them. */
export async function advanceProductIdsPast(maxId: number): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: productCounterKey,
        UpdateExpression: 'SET next_id = :n',
        ConditionExpression: 'attribute_not_exists(next_id) OR next_id <= :max',
        ExpressionAttributeValues: { ':n': maxId + 1, ':max': maxId },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Products with their sweeper marker (the drain clears markers it has made obsolete). */
export async function getProductsWithMarkers(
  ids: Iterable<number>,
): Promise<Map<number, { product: StockedProduct; attentionSk?: string }>> {
  const items = await batchGet([...new Set(ids)].map(productKey));
  const out = new Map<number, { product: StockedProduct; attentionSk?: string }>();
  for (const item of items) {
    const product = productFromItem(item);
    out.set(product.product_id, {
      product,
      attentionSk: typeof item.attention_sk === 'string' ? item.attention_sk : undefined,
    });
  }
  return out;
}
