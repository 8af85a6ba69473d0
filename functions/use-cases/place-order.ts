/**
 * process_order: ship what is on hand now, queue the rest (SPEC rules 2, 3, 4, 6, 7).
 *
 * Flow: try the whole order as in stock in one transaction using cached catalog data (one
 * round trip on a warm function); if a guard fails, read the products and allocate what is
 * really there; if the order is too large for one transaction, create it and allocate it in
 * parts. The order item's `attribute_not_exists` makes a replayed order_id change nothing.
 */
import { allocateOnHand, assumeAllInStock, type LineAllocation } from '../domain/allocation.js';
import { ConflictError, InvalidValueError } from '../domain/errors.js';
import type { Line, OrderView, Product } from '../domain/model.js';
import { newOrderId, orderIdKey, type OrderId } from '../domain/order-id.js';
import { sameQuantities, toOrderView, type ShipmentEvent } from '../domain/order-record.js';
import { getProducts } from '../store/catalog-store.js';
import { queueKeyFor } from '../store/keys.js';
import { putNewOrder } from '../store/items/order-item.js';
import { putShipment } from '../store/items/shipment-item.js';
import { getOrderWithShipments } from '../store/order-store.js';
import {
  MAX_TRANSACTION_ITEMS,
  retryOnContention,
  TransactionCancelled,
  transactWrite,
  type TransactionItem,
} from '../store/transactions.js';
import { cachedProducts, rememberProducts } from './catalog-cache.js';
import { allocateUnprocessedLines, LARGE_CHANGE_LEASE_MS, packUnpacked } from './large-changes.js';
import { backorderedOf, lineItems, shippedOf } from './order-lines.js';
import { CREATION_REQUEST } from '../store/items/order-item.js';
import { logShipped, makeShipmentEvent } from './shipments.js';

export interface PlaceOrderInput {
  orderId?: OrderId;
  /** Merged by product. */
  lines: Line[];
  /** Where a product's line stood in the request body, for error paths (default: `requested`). */
  linePath?: (productId: number) => string;
}

export interface PlaceOrderResult {
  /** 201 created, 200 an identical replay. */
  created: boolean;
  order: OrderView;
}

/** The order_id exists already: answer as a replay (or 409). */
class OrderExists extends Error {}

export async function placeOrder(input: PlaceOrderInput): Promise<PlaceOrderResult> {
  const orderId = input.orderId ?? newOrderId();
  const orderKey = orderIdKey(orderId);
  const startedAt = Date.now();
  const ids = input.lines.map((l) => l.product_id);
  try {
    const cached = cachedProducts(ids);
    if (cached) {
      try {
        return await create(orderId, orderKey, input.lines, assumeAllInStock(input.lines), cached, startedAt);
      } catch (error) {
        // A failed guard means stock, waiting orders or the catalog moved: read and allocate.
        if (!(error instanceof TransactionCancelled)) throw error;
      }
    }
    return await retryOnContention(async () => {
      const products = await getProducts(ids);
      rememberProducts(products.values());
      assertKnown(input.lines, products, input.linePath);
      const allocations = input.lines.map((l) => allocateOnHand(l, products.get(l.product_id)!));
      return create(orderId, orderKey, input.lines, allocations, products, startedAt);
    });
  } catch (error) {
    if (error instanceof OrderExists) return replay(orderKey, input.lines);
    throw error;
  }
}

async function create(
  orderId: OrderId,
  orderKey: string,
  lines: Line[],
  allocations: LineAllocation[],
  products: Map<number, Product>,
  startedAt: number,
): Promise<PlaceOrderResult> {
  const requested = new Map(lines.map((l) => [l.product_id, l.quantity]));
  const waits = allocations.some((a) => a.backorder > 0);
  const queueKey = queueKeyFor(orderKey, startedAt);
  const createdAt = new Date().toISOString();
  const shipped = shippedOf(allocations);
  const event = makeShipmentEvent(CREATION_REQUEST, shipped, products);
  const items: TransactionItem[] = [
    putNewOrder({
      orderId,
      orderKey,
      createdAt,
      queueKey: waits ? queueKey : undefined,
      requested,
      shipped,
      backordered: backorderedOf(allocations),
    }),
    ...allocations.flatMap((a) => lineItems(a, products.get(a.product_id)!, orderKey, queueKey)),
    ...(event ? [putShipment(orderKey, orderId, event)] : []),
  ];
  if (items.length > MAX_TRANSACTION_ITEMS) return createLargeOrder(orderId, orderKey, requested, queueKey, createdAt);
  try {
    await transactWrite(items);
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedAt(0)) throw new OrderExists();
    throw error;
  }
  if (event) logShipped(orderId, event, products);
  return { created: true, order: viewOfNew(orderId, orderKey, requested, allocations, event, createdAt) };
}

/** Too large for one transaction: create the order with every line unprocessed, then allocate in parts. */
async function createLargeOrder(
  orderId: OrderId,
  orderKey: string,
  requested: Map<number, number>,
  queueKey: string,
  createdAt: string,
): Promise<PlaceOrderResult> {
  try {
    await transactWrite([
      putNewOrder({
        orderId,
        orderKey,
        createdAt,
        queueKey,
        requested,
        shipped: new Map(),
        backordered: new Map(),
        unprocessed: requested,
        attentionDueAt: new Date(Date.now() + LARGE_CHANGE_LEASE_MS).toISOString(),
      }),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedAt(0)) throw new OrderExists();
    throw error;
  }
  await allocateUnprocessedLines(orderKey);
  await packUnpacked(orderKey, CREATION_REQUEST);
  const stored = await getOrderWithShipments(orderKey);
  return { created: true, order: toOrderView(stored!.order, stored!.events) };
}

async function replay(orderKey: string, lines: Line[]): Promise<PlaceOrderResult> {
  const stored = await getOrderWithShipments(orderKey);
  if (!stored) throw new Error(`order ${orderKey} reported as existing but not found`);
  const requested = new Map(lines.map((l) => [l.product_id, l.quantity]));
  if (!sameQuantities(stored.order.requested, requested)) {
    throw new ConflictError(`order ${String(stored.order.orderId)} exists with different lines`);
  }
  return { created: false, order: toOrderView(stored.order, stored.events) };
}

function assertKnown(lines: Line[], products: Map<number, unknown>, linePath = (_: number) => 'requested'): void {
  const errors = lines.flatMap((l) =>
    products.has(l.product_id) ? [] : [{ path: linePath(l.product_id), message: `unknown product_id ${l.product_id}` }],
  );
  if (errors.length > 0) throw new InvalidValueError('the order names products that are not in the catalog', errors);
}

/** The view of an order just written, without reading it back. */
function viewOfNew(
  orderId: OrderId,
  orderKey: string,
  requested: Map<number, number>,
  allocations: LineAllocation[],
  event: ShipmentEvent | undefined,
  createdAt: string,
): OrderView {
  return toOrderView(
    {
      orderId,
      orderKey,
      createdAt,
      requested,
      shipped: shippedOf(allocations),
      backordered: backorderedOf(allocations),
      unprocessed: new Map(),
      unpacked: new Map(),
    },
    event ? [event] : [],
  );
}
