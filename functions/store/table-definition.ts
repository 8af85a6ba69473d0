/**
 * The one DynamoDB table of the service, written once: the local bootstrap creates it from
 * `createTableInput()`, and the CDK stack builds its `TableV2` from the same constants.
 *
 * Single-table design (see README "Data model"):
 *   PRODUCT#<id> / PRODUCT         ProductItem   stock and catalog data of one product
 *   PRODUCT#<id> / WAIT#<key>      WaitItem      one order waiting for this product, FIFO by key
 *   PRODUCT#<id> / LOT#<lot>       LotItem       a named lot's expiry, recall and units restocked
 *   ORDER#<id>   / ORDER           OrderItem     an order's lines and per-product totals
 *   ORDER#<id>   / SHIP#<eventId>  ShipmentItem  the packages one request shipped to the order
 *   RESTOCK#<k>  / RESTOCK         RestockItem   idempotency record of one restock
 *   COUNTER#product / COUNTER      next product id to assign
 *
 * The table's stream (new and old images) carries every committed change to the outbound event
 * publisher (functions/use-cases/publish-events.ts): the transactional outbox of SPEC v2
 * "Outbound events", with no outbox item to write.
 *
 * GSI `catalog` (keys only) lists every product without a Scan.
 * GSI `attention` (keys only, sparse) lists what the sweeper must look at: products whose
 * drain may have been cut short, orders whose creation or packing was cut short, restocks
 * still in progress; and every queue entry under `WAITING#<shard>` by queue key, so that the
 * waiting orders of all products are listed in serve order (SPEC v2 "Order lists").
 * GSI `order_lists` (all attributes) holds every OrderItem once, sharded by order and sorted by
 * creation time, under the list it belongs to: `OPEN#<shard>` until the order is settled,
 * then `FULFILLED#<shard>` or `CANCELLED#<shard>` with its final OrderSummary (store/order-lists-store.ts).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The layout of the items, as a number: it changes when items written by an earlier version can
 * no longer be read as they are (2: orders without per-product totals, shipment patterns as one
 * string, queue keys with the priority rank; 3: products with an emergency reserve and units
 * waiting by priority; 4: products with the ledger's sequence and written-off units, and their
 * movements; 5: orders in the order lists' index, queue entries indexed by queue key; 6: stock
 * per lot on products, LotItems, lots on shipments and parts, writes with their causes listed
 * once). `npm start` keeps it in a marker item and refuses data of another layout rather than
 * misread it.
 */
export const DATA_FORMAT_VERSION = 6;
export const DATA_FORMAT_KEY = { pk: 'META#data-format', sk: 'META' } as const;

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
export const TTL_ATTRIBUTE = 'expires_at';

export const CATALOG_INDEX = {
  name: 'catalog',
  partitionKey: 'catalog_pk',
  sortKey: 'catalog_sk',
  projection: 'KEYS_ONLY',
} as const;
export const ATTENTION_INDEX = {
  name: 'attention',
  partitionKey: 'attention_pk',
  sortKey: 'attention_sk',
  projection: 'KEYS_ONLY',
} as const;
/**
 * All attributes: a page of settled orders is answered from the index alone (their summaries
 * are final), and the filters (product, priority) read `requested` and `queue_key` there.
 */
export const ORDER_LISTS_INDEX = {
  name: 'order_lists',
  partitionKey: 'list_pk',
  sortKey: 'list_sk',
  projection: 'ALL',
} as const;

/** The attention index is sharded so that many restocks marking products never make one hot GSI partition. */
export const ATTENTION_SHARDS = 8;
/**
 * Each order list is sharded likewise: one index partition takes about 1,000 writes a second,
 * and every order created writes one entry (its creation time only grows, so DynamoDB cannot
 * split a hot list by sort key).
 */
export const ORDER_LIST_SHARDS = 8;

export const GLOBAL_SECONDARY_INDEXES = [CATALOG_INDEX, ATTENTION_INDEX, ORDER_LISTS_INDEX] as const;

/**
 * The stream's view. The publisher reads new images only (every item it publishes is inserted
 * once); old images cost nothing on inserts and keep status changes (MODIFY) readable later.
 */
export const STREAM_VIEW_TYPE = 'NEW_AND_OLD_IMAGES' as const;

/** Input for CreateTable, used by the local bootstrap and the integration tests. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const stringAttrs = [
    PARTITION_KEY,
    SORT_KEY,
    ...GLOBAL_SECONDARY_INDEXES.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: stringAttrs.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: STREAM_VIEW_TYPE },
  };
}
