/**
 * Orders: the intents that create an order and pack what requests left unpacked, and the read of
 * a whole order. Each intent answers with an outcome (`created`, `exists`, `stale`, ...); how
 * the work is cut into transactions, and which condition failed, stays in this module.
 *
 * Size by construction: an order has at most 100 lines. A creation that fits one transaction
 * (order, one product update per line, one queue entry per waiting line, the shipment) commits
 * at once; a larger one is created first and allocated in parts of PART_LINES lines, each part
 * 2 items per line plus the order's counter and one PartItem, always within 100 items.
 */
import { type LineAllocation, lotsTakenBy } from '../domain/allocation.js';
import type { Product, Quantities, StockedProduct } from '../domain/model.js';
import type { OrderId } from '../domain/order-id.js';
import { CREATION_REQUEST, type OrderRecord, type ShipmentEvent, toLines } from '../domain/order-record.js';
import type { MovementCause } from '../domain/movement.js';
import type { Priority } from '../domain/priority.js';
import type { OrderSummary } from '../domain/order-summary.js';
import { CANCEL_PREFIX, type OrderList, orderPartition, PART_PREFIX, queueKeyFor, SHIP_PREFIX } from './keys.js';
import { putCancelPart, unitsFromCancelItem } from './items/cancel-item.js';
import {
  advanceCancellation,
  advanceCreation,
  cancellationFromItem,
  creationAllocated,
  listOfItem,
  orderFromItem,
  putNewOrder,
} from './items/order-item.js';
import { deletePart, type PartRecord, partFromItem, putPart } from './items/part-item.js';
import { allocateToOrder, cancelWaiting, productsSeenBy } from './items/product-item.js';
import { putShipmentRef } from './items/restock-item.js';
import { putShipment, shipmentFromItem } from './items/shipment-item.js';
import { fillWait, putWait } from './items/wait-item.js';
import { type LedgerWrite, ledgerWrite } from './ledger.js';
import { partitionItems } from './query.js';
import { chunk, commit, forEachConcurrently, MAX_TRANSACTION_ITEMS, type TransactionItem } from './transactions.js';

export type { PartRecord };

/** Lines per creation part: 2 items a line (product, queue entry), the order's counter, the part and the ledger's write. */
const PART_LINES = Math.floor((MAX_TRANSACTION_ITEMS - 3) / 2);

export interface StoredOrder {
  order: OrderRecord;
  /** Oldest first. */
  events: ShipmentEvent[];
  /** Units allocated and not packed yet (see items/part-item.ts). */
  parts: PartRecord[];
  /** The order list the order is filed in: open until the stream's follower files it settled. */
  list: OrderList;
}

/** The order, its packages and its unpacked parts: one strongly consistent Query of its partition. */
export async function readOrder(orderKey: string): Promise<StoredOrder | undefined> {
  let order: Omit<OrderRecord, 'unpacked'> | undefined;
  let list: OrderList = 'open';
  let cancellation: ReturnType<typeof cancellationFromItem>;
  const events: ShipmentEvent[] = [];
  const parts: PartRecord[] = [];
  const cancelled: Quantities = new Map();
  for await (const item of partitionItems(orderPartition(orderKey))) {
    const sk = String(item.sk);
    if (sk === 'ORDER') {
      order = orderFromItem(item);
      cancellation = cancellationFromItem(item);
      list = listOfItem(item);
    } else if (sk.startsWith(SHIP_PREFIX)) events.push(shipmentFromItem(item));
    else if (sk.startsWith(PART_PREFIX)) parts.push(partFromItem(item));
    else if (sk.startsWith(CANCEL_PREFIX)) addUnits(cancelled, unitsFromCancelItem(item));
  }
  if (!order) return undefined;
  const unpacked = new Map<string, Quantities>();
  for (const part of parts) {
    const units = unpacked.get(part.requestId) ?? new Map<number, number>();
    addUnits(units, part.units);
    unpacked.set(part.requestId, units);
  }
  return {
    order: { ...order, unpacked, ...(cancellation ? { cancellation: { ...cancellation, units: cancelled } } : {}) },
    events,
    parts,
    list,
  };
}

/** Several orders, each read whole (16 at a time); orders not found are absent from the map. */
export async function readOrders(orderKeys: string[]): Promise<Map<string, StoredOrder>> {
  const out = new Map<string, StoredOrder>();
  await forEachConcurrently([...new Set(orderKeys)], 16, async (orderKey) => {
    const stored = await readOrder(orderKey);
    if (stored) out.set(orderKey, stored);
  });
  return out;
}

function addUnits(into: Quantities, units: Quantities): void {
  for (const [p, q] of units) into.set(p, (into.get(p) ?? 0) + q);
}

/** Lines per cancellation part: 2 items a line (queue entry, product), the order and the CancelItem. */
const CANCEL_LINES = Math.floor((MAX_TRANSACTION_ITEMS - 2) / 2);

export interface CancellationPlan {
  orderKey: string;
  queueKey: string;
  priority: Priority;
  /** What waits now, per product: each queue entry is removed only if it still holds exactly this. */
  waiting: Quantities;
  /** The cancellation as recorded so far (a cut-short one is continued), or the new one's time and reason. */
  recorded?: { parts: number };
  at: string;
  reason: string | null;
  /** When the sweeper should finish a cancellation in several parts that was cut short. */
  dueAt: string;
}

/**
 * Cancels what waits, in parts of CANCEL_LINES lines: each part removes its lines' queue entries
 * (conditioned on their exact `remaining`: a fill that raced in makes the part `stale`, and it
 * is planned again on the order as it is then), lowers the products' waiting counters and
 * records its units. Each unit is thus shipped or cancelled, never both (SPEC "Cancellation").
 * `already`: another request recorded the cancellation or one of its parts first.
 */
export async function cancelWaitingLines(plan: CancellationPlan): Promise<'cancelled' | 'stale' | 'already'> {
  const chunks = chunk(toLines(plan.waiting), CANCEL_LINES);
  let partsDone = plan.recorded?.parts ?? 0;
  for (const lines of chunks) {
    const first = partsDone === 0 && !plan.recorded;
    const order = first
      ? advanceCancellation(plan.orderKey, 0, {
          at: plan.at,
          reason: plan.reason,
          ...(chunks.length > 1 ? { dueAt: plan.dueAt } : {}),
        })
      : advanceCancellation(plan.orderKey, partsDone);
    const result = await commit([
      order,
      putCancelPart(plan.orderKey, partsDone, new Map(lines.map((l) => [l.product_id, l.quantity]))),
      ...lines.flatMap((l) => [
        fillWait(l.product_id, plan.queueKey, l.quantity, l.quantity),
        cancelWaiting(l.product_id, l.quantity, plan.priority),
      ]),
    ]);
    if (!result.ok) return result.cancelled.failedAt(0) || result.cancelled.failedAt(1) ? 'already' : 'stale';
    partsDone++;
  }
  return 'cancelled';
}

export interface NewOrderPlan {
  orderId: OrderId;
  orderKey: string;
  createdAt: string;
  /** When the creation started: with the priority, the order's place in every queue it joins. */
  startedAt: number;
  priority: Priority;
  requested: Quantities;
  /** One per requested line, planned on `products`. */
  allocations: LineAllocation[];
  /** The catalog revision each allocation relied on (its mass is what the shipment was packed with). */
  products: Map<number, Pick<Product, 'rev'>>;
  /** Every unit the allocations ship, packed. */
  shipment?: ShipmentEvent;
  /** The order's summary when this creation ships every unit: the order is filed as fulfilled at once. */
  fulfilledSummary?: OrderSummary;
}

export type CreateOrderOutcome =
  | { kind: 'created' }
  /** The order_id is taken: answer as a replay. */
  | { kind: 'exists' }
  /** Stock, waiting orders or the catalog moved: plan again. `seen` holds products as they are now. */
  | { kind: 'stale'; seen: Map<number, StockedProduct> }
  /** Too large for one transaction: the order exists with no line allocated; allocate its parts. */
  | { kind: 'started' };

export async function createOrder(plan: NewOrderPlan, attentionDueAt: string): Promise<CreateOrderOutcome> {
  const queueKey = queueKeyFor(plan.orderKey, plan.startedAt, plan.priority);
  const order = {
    orderId: plan.orderId,
    orderKey: plan.orderKey,
    createdAt: plan.createdAt,
    queueKey,
    requested: plan.requested,
  };
  const ledger = shipmentLedger(plan.allocations, {
    kind: 'shipment',
    orderId: plan.orderId,
    orderKey: plan.orderKey,
    requestId: CREATION_REQUEST,
    ...(plan.shipment ? { eventId: plan.shipment.eventId } : {}),
  });
  const items: TransactionItem[] = [
    putNewOrder({ ...order, ...(plan.fulfilledSummary ? { fulfilled: plan.fulfilledSummary } : {}) }),
    ...plan.allocations.flatMap((a) =>
      lineItems(a, plan.products.get(a.product_id)!.rev, plan.orderKey, queueKey, ledger),
    ),
    ...(plan.shipment ? [putShipment(plan.orderKey, plan.orderId, plan.shipment)] : []),
    ...(ledger ? [ledger.item] : []),
  ];
  if (items.length > MAX_TRANSACTION_ITEMS) {
    const partsTotal = Math.ceil(plan.requested.size / PART_LINES);
    const started = await commit([
      putNewOrder({ ...order, creation: { partLines: PART_LINES, partsDone: 0, partsTotal }, attentionDueAt }),
    ]);
    return started.ok ? { kind: 'started' } : { kind: 'exists' };
  }
  const result = await commit(items);
  if (result.ok) return { kind: 'created' };
  if (result.cancelled.failedAt(0)) return { kind: 'exists' };
  return { kind: 'stale', seen: productsSeenBy(result.cancelled) };
}

export interface CreationPart {
  orderKey: string;
  queueKey: string;
  /** The parts allocated before this one (the guard: each part is allocated once). */
  partsDone: number;
  allocations: LineAllocation[];
  orderId: OrderId;
  products: Map<number, Pick<Product, 'rev' | 'mass_g'>>;
}

/** `already`: another request allocated this part first; read the order again. */
export type PartOutcome = 'allocated' | 'already' | 'stale';

export async function allocateCreationPart(part: CreationPart): Promise<PartOutcome> {
  const shipped = unitsShipped(part.allocations);
  // Packed once every part is allocated: the movements name the request, its packages come later.
  const ledger = shipmentLedger(part.allocations, {
    kind: 'shipment',
    orderId: part.orderId,
    orderKey: part.orderKey,
    requestId: CREATION_REQUEST,
  });
  const items: TransactionItem[] = [
    advanceCreation(part.orderKey, part.partsDone),
    ...part.allocations.flatMap((a) =>
      lineItems(a, part.products.get(a.product_id)!.rev, part.orderKey, part.queueKey, ledger),
    ),
    ...(ledger ? [ledger.item] : []),
  ];
  if (shipped.size > 0) {
    items.push(
      putPart(part.orderKey, {
        partId: `${CREATION_REQUEST}#${part.partsDone}`,
        requestId: CREATION_REQUEST,
        units: shipped,
        masses: new Map([...shipped.keys()].map((p) => [p, part.products.get(p)!.mass_g])),
        lots: lotsTakenBy(part.allocations),
      }),
    );
  }
  const result = await commit(items);
  if (result.ok) return 'allocated';
  return result.cancelled.failedAt(0) ? 'already' : 'stale';
}

export interface PackingOfParts {
  orderKey: string;
  orderId: OrderId;
  /** Every unpacked part of one request (a request has at most a few: see PART_LINES). */
  parts: PartRecord[];
  shipment: ShipmentEvent;
  /** The restock whose answer lists this shipment. */
  restockKey?: string;
}

/** `gone`: another request packed these parts first. */
export async function packParts(packing: PackingOfParts): Promise<'packed' | 'gone'> {
  const creation = packing.parts.some((p) => p.requestId === CREATION_REQUEST);
  const result = await commit([
    ...packing.parts.map((p) => deletePart(packing.orderKey, p.partId)),
    ...(creation ? [creationAllocated(packing.orderKey)] : []),
    putShipment(packing.orderKey, packing.orderId, packing.shipment),
    ...(packing.restockKey
      ? [putShipmentRef(packing.restockKey, { orderKey: packing.orderKey, eventId: packing.shipment.eventId })]
      : []),
  ]);
  return result.ok ? 'packed' : 'gone';
}

/** One or two items per line: the product's guarded update, and its queue entry if units wait. */
function lineItems(
  allocation: LineAllocation,
  rev: number,
  orderKey: string,
  queueKey: string,
  ledger: LedgerWrite | undefined,
): TransactionItem[] {
  const mark = allocation.ship > 0 ? ledger!.markFor(allocation.product_id) : { writeId: '', movements: 0 };
  const items = [allocateToOrder(allocation, rev, mark)];
  if (allocation.backorder > 0) items.push(putWait(allocation.product_id, queueKey, orderKey, allocation.backorder));
  return items;
}

/** The movements of the units the lines ship (one per line and lot), if any ship. */
function shipmentLedger(allocations: LineAllocation[], cause: MovementCause): LedgerWrite | undefined {
  const shipping = allocations.filter((a) => a.ship > 0);
  if (shipping.length === 0) return undefined;
  return ledgerWrite(
    shipping.flatMap((a) =>
      a.takes.map((t) => ({ productId: a.product_id, lot: t.lot, quantity: -t.quantity, cause })),
    ),
  );
}

function unitsShipped(allocations: LineAllocation[]): Quantities {
  return new Map(allocations.filter((a) => a.ship > 0).map((a) => [a.product_id, a.ship]));
}
