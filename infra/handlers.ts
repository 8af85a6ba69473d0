/**
 * Every Lambda function of the service, derived from the route table so that a handler added to
 * `functions/routes.ts` cannot be forgotten here: the records below are typed by `FunctionName`,
 * so a missing entry is a compile error, not a missing function in AWS.
 */
import { Duration } from 'aws-cdk-lib';
import { backgroundHandlers, routes, type HandlerName } from '../functions/routes.js';

/** A file `functions/handlers/<name>.ts` exporting `handler`. */
export type FunctionName = HandlerName | (typeof backgroundHandlers)[number];

export const FUNCTION_NAMES: readonly FunctionName[] = [
  ...new Set<FunctionName>(routes.map((route) => route.handler)),
  ...backgroundHandlers,
];

/** Path of a handler's entry file, relative to the repository root. */
export function handlerEntry(name: FunctionName): string {
  return `functions/handlers/${name}.ts`;
}

export interface FunctionSizing {
  readonly description: string;
  /** MB. Lambda gives CPU in proportion to memory (a full vCPU at 1769 MB). */
  readonly memorySize: number;
  readonly timeout: Duration;
  /**
   * For handlers that fill backorders (functions/http/api-handler.ts `drainDeadline`): how long one
   * invocation may drain before it stops and leaves the rest to the sweeper. The handler also
   * stops 3 s before its timeout, whichever comes first. Passed as DRAIN_BUDGET_MS.
   */
  readonly drainBudget?: Duration;
}

/*
 * Timeouts. HTTP API gives an integration at most 30 s, then answers 503 on its own while the
 * function may still be running. Writes therefore stop at 28 s: a request always ends inside the
 * gateway's window, and the handlers' time budget (the Lambda's remaining time) is what cuts a long
 * restock drain short; the sweeper finishes the rest within a minute (SPEC rule 8).
 * Reads do one or a few queries; 10 s is generous and still frees a stuck concurrency slot quickly.
 * The sweeper runs every minute; 55 s lets one run finish before the next one starts, so runs
 * rarely overlap (they may, and the conditional writes make that safe).
 *
 * Drain budgets. A restock answered over HTTP drains for at most 20 s (+3 s to commit and answer,
 * well inside 28 s), then reports `draining: true`; the sweeper drains for up to 45 s of its 55 s,
 * so whatever a restock left is finished within the next minute (SPEC rule 8).
 *
 * Memory. Writes pack units into packages (CPU-bound for large orders) and hold several DynamoDB
 * round trips; 1024 MB (about 0.6 vCPU) keeps p99 latency low, and since Lambda bills GB-seconds,
 * faster runs cost about the same as slower ones with less memory. Reads are I/O-bound: 512 MB.
 * The health check does one DescribeTable, and the API documentation touches no table: 256 MB.
 */
const WRITE_TIMEOUT = Duration.seconds(28);
const READ_TIMEOUT = Duration.seconds(10);

export const FUNCTION_SIZING: Record<FunctionName, FunctionSizing> = {
  'init-catalog': {
    description: 'POST /inventory/init_catalog: upsert products (name, mass), never touching stock',
    memorySize: 1024,
    timeout: WRITE_TIMEOUT,
  },
  'process-restock': {
    description:
      'POST /inventory/process_restock and EventBridge Restock events: add stock, fill backorders oldest first',
    memorySize: 1024,
    timeout: WRITE_TIMEOUT,
    drainBudget: Duration.seconds(20),
  },
  'process-order': {
    description: 'POST /inventory/process_order: ship what is on hand in the fewest packages, backorder the rest',
    memorySize: 1024,
    timeout: WRITE_TIMEOUT,
  },
  'write-offs': {
    description: 'POST /inventory/write_offs: units leave stock unshipped, all or nothing, with their movements',
    memorySize: 1024,
    timeout: WRITE_TIMEOUT,
  },
  'recall-lot': {
    description: 'POST /inventory/recalls: write off every unit of a lot on hand and mark it recalled for good',
    memorySize: 1024,
    timeout: WRITE_TIMEOUT,
  },
  'get-lot': {
    description: 'GET /inventory/products/{product_id}/lots/{lot}: a lot and every package that carried it',
    memorySize: 512,
    timeout: READ_TIMEOUT,
  },
  'cancel-order': {
    description: 'POST /inventory/orders/{order_id}/cancel: every unit not shipped stops waiting',
    memorySize: 1024,
    timeout: WRITE_TIMEOUT,
  },
  'get-order': {
    description: 'GET /inventory/orders/{order_id}: one order with its shipments',
    memorySize: 512,
    timeout: READ_TIMEOUT,
  },
  'list-products': {
    description: 'GET /inventory/products: the catalog with on-hand and backordered units',
    memorySize: 512,
    timeout: READ_TIMEOUT,
  },
  'list-movements': {
    description: "GET /inventory/products/{product_id}/movements: a product's stock movements in commit order",
    memorySize: 512,
    timeout: READ_TIMEOUT,
  },
  /*
   * A page of up to 1,000 waiting orders reads each of them whole (16 at a time): a read function,
   * with a write function's timeout so that the largest page ends inside the gateway's 30 s.
   */
  'list-orders': {
    description: 'GET /inventory/orders: waiting orders in serve order; fulfilled, cancelled or all newest first',
    memorySize: 512,
    timeout: WRITE_TIMEOUT,
  },
  health: {
    description: 'GET /health: 200 when DynamoDB answers, 503 otherwise',
    memorySize: 256,
    timeout: READ_TIMEOUT,
  },
  'api-docs': {
    description: 'GET /openapi.json and GET /docs: the OpenAPI document and its HTML page, built once per cold start',
    memorySize: 256,
    timeout: READ_TIMEOUT,
  },
  console: {
    description: "GET /console: the operators' web console, one self-contained HTML page built once per cold start",
    memorySize: 256,
    timeout: READ_TIMEOUT,
  },
  sweeper: {
    description: 'Every minute: fill backorders left waiting while stock is on hand, finish work cut short',
    memorySize: 1024,
    timeout: Duration.seconds(55),
    drainBudget: Duration.seconds(45),
  },
  /*
   * A batch is a few order reads and PutEvents calls, usually well under a second; the timeout
   * leaves room for the largest record, a shipment of 10,000 packages (1,000 calls of 10 entries,
   * 4 in flight), plus the retries of entries PutEvents did not take.
   */
  'publish-events': {
    description: 'Fed by the table stream: publishes PackageShipped, OrderFulfilled, OrderCancelled, StockWrittenOff',
    memorySize: 1024,
    timeout: Duration.seconds(120),
  },
  /* A batch is one BatchGet of at most 100 writes and at most 100 Puts of movements. */
  'sequence-ledger': {
    description: "Fed by the table stream's product changes: lists each stock write's movements in commit order",
    memorySize: 512,
    timeout: Duration.seconds(60),
  },
};
