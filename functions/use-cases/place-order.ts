/**
 * process_order: ship what is on hand now, queue the rest (SPEC rules 2, 3, 4, 6, 7).
 *
 * Flow: plan the whole order as in stock with cached catalog data and ask the store to create it
 * (one round trip on a warm function); if a guard fails, plan again on the products as they are
 * now. An order too large for one transaction is created first and allocated in parts. The order
 * item's `attribute_not_exists` makes a replayed order_id change nothing.
 */
import { allocateOnHand, allocateOnHints, type LineAllocation, lotsTakenBy, shippedBy } from '../domain/allocation.js';
import { takeHorizon } from '../domain/lots.js';
import { ConflictError, InvalidValueError } from '../domain/errors.js';
import type { Line, OrderView, Product } from '../domain/model.js';
import { newOrderId, type OrderId, orderIdKey } from '../domain/order-id.js';
import { toOrderSummary } from '../domain/order-summary.js';
import { DEFAULT_PRIORITY, type Priority } from '../domain/priority.js';
import {
  CREATION_REQUEST,
  creationComplete,
  type OrderRecord,
  sameQuantities,
  type ShipmentEvent,
  toOrderView,
} from '../domain/order-record.js';
import { getProducts } from '../store/catalog-store.js';
import { createOrder, readOrder } from '../store/order-store.js';
import { cachedProducts, rememberAllocations, rememberProducts, stockHints } from './catalog-cache.js';
import { finishOrderCreation, LARGE_ORDER_LEASE_MS } from './large-orders.js';
import { knownOrder, rememberOrder } from './replay-memory.js';
import { RETRY, retryWhileStale } from './retry.js';
import { logShipped, makeShipmentEvent } from './shipments.js';

export interface PlaceOrderInput {
  orderId?: OrderId;
  /** Absent: routine. */
  priority?: Priority;
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

export async function placeOrder(input: PlaceOrderInput): Promise<PlaceOrderResult> {
  const orderId = input.orderId ?? newOrderId();
  const orderKey = orderIdKey(orderId);
  const startedAt = Date.now();
  const requested = new Map(input.lines.map((l) => [l.product_id, l.quantity]));
  const ids = input.lines.map((l) => l.product_id);
  const priority = input.priority ?? DEFAULT_PRIORITY;
  // A replay of an order this function created: one read, no write attempted.
  if (knownOrder(orderKey)) return replay(orderKey, requested, priority);

  return retryWhileStale(`order ${orderKey}`, async (attempt) => {
    let products: Map<number, Product>;
    let allocations: LineAllocation[];
    const cached = attempt < HINTED_ATTEMPTS ? cachedProducts(ids) : undefined;
    const horizon = takeHorizon();
    if (cached) {
      // Planned on the stock as last seen, with no read: one round trip on a warm function,
      // whether the order ships or waits. The write's guards prove the plan.
      products = cached;
      const reserves = new Map([...cached].map(([id, p]) => [id, p.emergency_reserve]));
      allocations = allocateOnHints(input.lines, stockHints(ids), reserves, priority, horizon);
    } else {
      const stocked = await getProducts(ids);
      rememberProducts(stocked.values());
      assertKnown(input.lines, stocked, input.linePath);
      products = stocked;
      allocations = input.lines.map((l) => allocateOnHand(l, stocked.get(l.product_id)!, priority, horizon));
    }
    const createdAt = new Date().toISOString();
    const shipment = makeShipmentEvent(CREATION_REQUEST, shippedBy(allocations), products, {
      lots: lotsTakenBy(allocations),
    });
    // The answer if it commits; an order it fulfills is filed in the fulfilled list at once.
    const view = viewOfNew({ orderId, orderKey, createdAt, priority, requested }, shipment);
    const fulfilledSummary = view.status === 'fulfilled' ? toOrderSummary(view) : undefined;
    const outcome = await createOrder(
      {
        orderId,
        orderKey,
        createdAt,
        startedAt,
        priority,
        requested,
        allocations,
        products,
        shipment,
        ...(fulfilledSummary ? { fulfilledSummary } : {}),
      },
      new Date(Date.now() + LARGE_ORDER_LEASE_MS).toISOString(),
    );
    switch (outcome.kind) {
      case 'created':
        rememberAllocations(allocations);
        rememberOrder(orderKey);
        if (shipment) logShipped(orderId, shipment, products);
        return { created: true, order: view };
      case 'exists':
        return replay(orderKey, requested, priority);
      case 'started':
        rememberOrder(orderKey);
        await finishOrderCreation(orderKey);
        return { created: true, order: await currentView(orderKey) };
      case 'stale':
        // The products whose guard failed, as they are now: the next try plans on them.
        rememberProducts(outcome.seen.values());
        return RETRY;
    }
  });
}

/** Tries planned on remembered stock before the order reads the products. */
const HINTED_ATTEMPTS = 2;

async function replay(orderKey: string, requested: Map<number, number>, priority: Priority): Promise<PlaceOrderResult> {
  const stored = await readOrder(orderKey);
  if (!stored) throw new Error(`order ${orderKey} reported as existing but not found`);
  if (!sameQuantities(stored.order.requested, requested)) {
    throw new ConflictError(`order ${String(stored.order.orderId)} exists with different lines`);
  }
  if (stored.order.priority !== priority) {
    throw new ConflictError(`order ${String(stored.order.orderId)} exists with priority ${stored.order.priority}`);
  }
  if (creationComplete(stored.order) && !stored.order.unpacked.has(CREATION_REQUEST)) {
    return { created: false, order: toOrderView(stored.order, stored.events) };
  }
  // The first request died halfway through a large order: the retry finishes it (each part is
  // guarded, so racing a first request that is still alive allocates nothing twice).
  await finishOrderCreation(orderKey);
  return { created: false, order: await currentView(orderKey) };
}

async function currentView(orderKey: string): Promise<OrderView> {
  const stored = await readOrder(orderKey);
  if (!stored) throw new Error(`order ${orderKey} was created but is not found`);
  return toOrderView(stored.order, stored.events);
}

function assertKnown(lines: Line[], products: Map<number, unknown>, linePath = (_: number) => 'requested'): void {
  const errors = lines.flatMap((l) =>
    products.has(l.product_id) ? [] : [{ path: linePath(l.product_id), message: `unknown product_id ${l.product_id}` }],
  );
  if (errors.length > 0) throw new InvalidValueError('the order names products that are not in the catalog', errors);
}

/** The view of an order just written, without reading it back: every unit it shipped is in `shipment`. */
function viewOfNew(
  order: Pick<OrderRecord, 'orderId' | 'orderKey' | 'createdAt' | 'priority' | 'requested'>,
  shipment: ShipmentEvent | undefined,
): OrderView {
  return toOrderView({ ...order, queueKey: '', unpacked: new Map() }, shipment ? [shipment] : []);
}
