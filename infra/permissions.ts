/**
 * Least privilege, in one place: the DynamoDB actions each function may perform, and on which
 * resources. The stack turns each entry into IAM statements on the table ARN and on
 * `<table arn>/index/<name>` for the named indexes only; nothing else in infra grants DynamoDB access.
 *
 * There is no IAM action for TransactWriteItems / TransactGetItems: a transaction is authorized
 * per contained operation (Put -> PutItem, Update -> UpdateItem, Delete -> DeleteItem,
 * ConditionCheck -> ConditionCheckItem), which is why those actions appear below.
 */
import { ATTENTION_INDEX, CATALOG_INDEX, ORDER_LISTS_INDEX } from '../functions/store/table-definition.js';
import type { FunctionName } from './handlers.js';

export type DynamoDbAction =
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:DescribeTable'
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:Query'
  | 'dynamodb:UpdateItem';

export type IndexName = typeof CATALOG_INDEX.name | typeof ATTENTION_INDEX.name | typeof ORDER_LISTS_INDEX.name;

export interface TableAccess {
  /** Actions on the table itself (its base items). */
  readonly table: readonly DynamoDbAction[];
  /** Indexes the function queries; only `dynamodb:Query` is granted on them. */
  readonly queriesIndexes: readonly IndexName[];
}

/** The actions a function needs to change stock, orders and shipments in transactions. */
const STOCK_WRITER: readonly DynamoDbAction[] = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

export const TABLE_ACCESS: Record<FunctionName, TableAccess> = {
  // Lowering an emergency reserve drains the freed units (reads queues, fills, deletes entries).
  'init-catalog': { table: STOCK_WRITER, queriesIndexes: [] },
  'process-order': { table: STOCK_WRITER, queriesIndexes: [] },
  'process-restock': { table: STOCK_WRITER, queriesIndexes: [] },
  'get-order': { table: ['dynamodb:Query'], queriesIndexes: [] },
  // Reads the products (takes name their lots), then one transaction (the record, the products,
  // the ledger's write); a replay reads the record.
  'write-offs': {
    table: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    queriesIndexes: [],
  },
  // Reads the lot, its product and its recall, then one transaction (the RecallItem, the LotItem,
  // the product, the ledger's write); answers the LotView (its packages' events).
  'recall-lot': {
    table: ['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    queriesIndexes: [],
  },
  // The lot, its product and recall, its LOTSHIP items and the shipment events they name.
  'get-lot': { table: ['dynamodb:BatchGetItem', 'dynamodb:Query'], queriesIndexes: [] },
  // Finishing a large order's creation before cancelling it takes stock like an order does.
  'cancel-order': { table: STOCK_WRITER, queriesIndexes: [] },
  'list-products': { table: ['dynamodb:BatchGetItem'], queriesIndexes: [CATALOG_INDEX.name] },
  // The product, its movements, and the shipments they name.
  'list-movements': { table: ['dynamodb:BatchGetItem', 'dynamodb:Query'], queriesIndexes: [] },
  // The product named, a product's queue, the waiting and order-list indexes, and each open order.
  'list-orders': {
    table: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
    queriesIndexes: [ATTENTION_INDEX.name, ORDER_LISTS_INDEX.name],
  },
  health: { table: ['dynamodb:DescribeTable'], queriesIndexes: [] },
  'api-docs': { table: [], queriesIndexes: [] },
  console: { table: [], queriesIndexes: [] },
  sweeper: { table: STOCK_WRITER, queriesIndexes: [ATTENTION_INDEX.name] },
  // Reads an order (one Query) to learn whether it is fulfilled or cancelled, and files it in its
  // order list once it is (one conditioned UpdateItem). Reading the stream
  // (DescribeStream, GetRecords, GetShardIterator, ListStreams on the stream's ARN only) is granted
  // by its event source mapping (infra/constructs/outbound-events.ts), events:PutEvents by the bus.
  // Keeps the lots' books: a LOTSHIP or LOTOFF item and a LotItem counter per lot, in one
  // transaction each (PutItem, UpdateItem).
  'publish-events': { table: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], queriesIndexes: [] },
  // Reads the writes named by product changes, puts the movements.
  'sequence-ledger': { table: ['dynamodb:BatchGetItem', 'dynamodb:PutItem'], queriesIndexes: [] },
};
