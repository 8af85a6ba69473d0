/**
 * The drain: restocked units go to waiting orders in serve order for each product (SPEC rule 4),
 * until nothing is on hand or nobody waits (rule 8). The drain holds each product's lease while it
 * fills its queue (one drain per product: plans are never undone by another); each order gets one
 * shipment from one request, packed over all the products it receives (rule 2), and the fills go
 * to the store in batches, many per transaction. Every fill is guarded in the store; a lost race
 * re-reads and re-plans.
 */
import { afterBatch, asOf, batchEffect, type PlannedFill, planFills } from '../domain/allocation.js';
import { takeHorizon } from '../domain/lots.js';
import type { Quantities, StockedProduct } from '../domain/model.js';
import { orderIdFromKey } from '../domain/order-id.js';
import { packageCount, type ShipmentEvent } from '../domain/order-record.js';
import { hasDrainWork, usableOnHand } from '../domain/priority.js';
import { clearProductMark, markProductsDueNow } from '../store/attention-store.js';
import { getProductsWithMarkers } from '../store/catalog-store.js';
import { commitFills, type FillToCommit, type MarkedProduct, readQueue, releaseDrain } from '../store/fill-store.js';
import { rememberProducts } from './catalog-cache.js';
import { acquireLeases, releaseLeases } from './drain-leases.js';
import { pause } from './retry.js';
import { logShipped, makeShipmentEvent } from './shipments.js';
import { packUnpacked } from './unpacked-parts.js';

export interface DrainContext {
  /** Shipments are tagged with it (the restock key, or the sweep's id); it also owns the leases. */
  requestId: string;
  /** Epoch ms after which the drain stops and leaves the rest to the sweeper. */
  deadline: number;
  /** The restock whose answer lists the shipments (absent for the sweeper). */
  restockKey?: string;
  /**
   * At most this many packages and this much answer: past either, the rest drains
   * asynchronously (SPEC: a restock answer lists at most 10,000 packages).
   */
  budget?: AnswerBudget;
  /**
   * The request took over from one that died: orders may hold parts it left unpacked, so every
   * fill goes through parts and is packed with them, in one shipment (SPEC rule 2).
   */
  resumed?: boolean;
  /** Orders the request shipped to before (a resumed restock's first owner): none again. */
  served?: Iterable<string>;
  /** False for the sweeper: a product another drain holds is that drain's to finish. */
  waitForLeases?: boolean;
  /** Take leases however recent (only when no other request can be in flight: recovery). */
  breakLeases?: boolean;
  /** The sweeper: clear the marks of products with nothing left to do. */
  clearMarks?: boolean;
}

export interface AnswerBudget {
  packages: number;
  /** Bytes of the packages as JSON in the answer. */
  bytes: number;
}

export interface DrainResult {
  shipments: Array<{ orderKey: string; event: ShipmentEvent }>;
  /** True when the time or answer budget ran out with orders still to fill. */
  draining: boolean;
}

const MAX_PASSES = 10_000;
/** Parts a fill left are the sweeper's to pack this long after the drain's deadline. */
const PARTS_GRACE_MS = 5_000;
/** A drain's leases outlive its deadline by this much (time to commit the last batch and release). */
const LEASE_MARGIN_MS = 5_000;

export async function fillBackorders(productIds: Iterable<number>, context: DrainContext): Promise<DrainResult> {
  const drain: Drain = { context, shipments: [], spent: { packages: 0, bytes: 0 }, served: new Set(context.served) };
  const owner = context.requestId;
  const leases = await acquireLeases(productIds, owner, context.deadline + LEASE_MARGIN_MS, {
    deadline: context.waitForLeases === false ? 0 : context.deadline,
    breakLeases: context.breakLeases,
  });
  rememberProducts([...leases.idle, ...leases.held.values()].map((p) => p.product));
  const settled = [...leases.idle];
  try {
    const draining = await drainHeld(leases.held, drain, settled);
    // A product another drain held until our deadline: that drain or the sweeper fills it.
    if (leases.missed.length > 0) await markProductsDueNow(leases.missed);
    return { shipments: drain.shipments, draining: draining || leases.missed.length > 0 };
  } finally {
    await releaseLeases([...leases.held.keys()], owner);
    // The sweeper clears the marks of products with nothing left to do (requests leave theirs:
    // clearing them is not worth a write on the request's path).
    if (context.clearMarks) {
      for (const { product, attentionSk } of settled) {
        if (attentionSk) await clearProductMark(product.product_id, attentionSk);
      }
    }
  }
}

interface Drain {
  context: DrainContext;
  shipments: DrainResult['shipments'];
  spent: AnswerBudget;
  /** Orders this request shipped to: never again in this request (SPEC rule 2). */
  served: Set<string>;
}

/** Work for a drain planning with this horizon (units expired by then are not work). */
const hasWork =
  (horizon: string) =>
  ({ product }: MarkedProduct) =>
    hasDrainWork(asOf(product, horizon));

/** What the conditioned release must find unchanged when some units on hand are not usable. */
function unusableSeen({ product }: MarkedProduct, horizon: string) {
  const seen = asOf(product, horizon);
  return seen.unusable ? { onHand: seen.on_hand, usable: usableOnHand(seen) } : undefined;
}

/**
 * Fills the queues of the products in `held` (their leases, as last seen) until nothing is left
 * to do; returns true when it stopped with work left. Leases it gave back leave `held`, and
 * their products join `settled`.
 */
async function drainHeld(held: Map<number, MarkedProduct>, drain: Drain, settled: MarkedProduct[]): Promise<boolean> {
  const { context } = drain;
  const owner = context.requestId;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    // A product with nothing left gives its lease back, unless work arrived meanwhile: the
    // release is conditioned on it, and answers with the product as it is now.
    const horizon = takeHorizon();
    const done = [...held.values()].filter((p) => !hasWork(horizon)(p));
    const releases = await Promise.all(
      done.map((p) => releaseDrain(p.product.product_id, owner, { ifSettled: true, seen: unusableSeen(p, horizon) })),
    );
    releases.forEach((outcome, i) => {
      const id = done[i]!.product.product_id;
      if (outcome.kind === 'busy') held.set(id, outcome.product);
      else {
        held.delete(id);
        if (outcome.kind === 'released') settled.push(outcome.product);
      }
    });
    rememberProducts(releases.flatMap((o) => (o.kind === 'lost' ? [] : [o.product.product])));
    const busy = [...held.values()].filter(hasWork(horizon));
    if (busy.length === 0) {
      if (held.size === 0) return false;
      continue;
    }
    const busyIds = busy.map((p) => p.product.product_id);
    if (Date.now() >= context.deadline) return handOver(busyIds);
    const stock = new Map(busy.map(({ product }) => [product.product_id, product]));
    const queues = new Map(
      await Promise.all(
        busyIds.map(async (id) => [id, await readQueue(id, usableOnHand(asOf(stock.get(id)!, horizon)))] as const),
      ),
    );
    const planned = planFills(stock, queues, drain.served, horizon);
    // What is left waits for orders this request served: the restock that brought those units
    // waits for this drain's leases and fills them itself. The mark covers a restock that gave up.
    if (planned.length === 0) return handOver(busyIds, false);
    const { fills, overBudget } = withinAnswerBudget(planned, stock, drain);
    const outcome = await commitInOrder(fills, stock, drain, horizon);
    if (outcome === 'deadline' || overBudget) return handOver(busyIds);
    if (outcome === 'stale') {
      // Another writer moved this stock (the catalog, a cancellation): read again, plan again.
      await pause(Math.random() * 20);
      for (const [id, product] of await getProductsWithMarkers(busyIds)) held.set(id, product);
      continue;
    }
    // Planned as if nothing else changed: each busy product is done unless work arrived, which
    // the conditioned release finds out on the next pass.
    for (const batch of batchEffect(
      fills.map((f) => f.fill),
      stock,
      horizon,
    ).values()) {
      const id = batch.product_id;
      held.set(id, { ...held.get(id)!, product: afterBatch(stock.get(id)!, batch) });
    }
  }
  throw new Error('drain did not settle');
}

/** The fills whose packages fit the answer's budget, in serve order. */
function withinAnswerBudget(planned: PlannedFill[], stock: Map<number, StockedProduct>, drain: Drain) {
  const fills: FillToCommit[] = [];
  const spent = { ...drain.spent };
  for (const fill of planned) {
    const units: Quantities = new Map(fill.lines.map((l) => [l.product_id, l.quantity]));
    const lots = new Map(fill.lines.map((l) => [l.product_id, l.lots]));
    const shipment = makeShipmentEvent(drain.context.requestId, units, stock, { lots });
    if (!shipment) continue;
    if (drain.context.budget && !withinBudget(spent, shipment, fill.orderKey, drain.context.budget)) {
      return { fills, overBudget: true };
    }
    spent.packages += packageCount(shipment);
    spent.bytes += answerBytes(shipment, fill.orderKey);
    fills.push({ fill, orderId: orderIdFromKey(fill.orderKey), shipment });
  }
  return { fills, overBudget: false };
}

/** Commits the fills a transaction at a time; the shipments they caused go into the drain's answer. */
async function commitInOrder(
  fills: FillToCommit[],
  stock: Map<number, StockedProduct>,
  drain: Drain,
  horizon: string,
): Promise<'done' | 'stale' | 'deadline'> {
  const { context } = drain;
  const outcomes = commitFills({
    fills,
    products: stock,
    drainer: context.requestId,
    requestId: context.requestId,
    restockKey: context.restockKey,
    inParts: context.resumed,
    partsDueAt: new Date(context.deadline + PARTS_GRACE_MS).toISOString(),
    horizon,
  });
  for await (const outcome of outcomes) {
    for (const { fill, kind } of outcome.committed) {
      drain.served.add(fill.fill.orderKey);
      // Parts that committed are packed together now, so no unit waits unpacked.
      const shipped =
        kind === 'filled'
          ? fill.shipment
          : await packUnpacked(fill.fill.orderKey, context.requestId, context.restockKey);
      if (kind === 'filled') logShipped(fill.orderId, fill.shipment, stock);
      if (!shipped) continue;
      drain.shipments.push({ orderKey: fill.fill.orderKey, event: shipped });
      drain.spent.packages += packageCount(shipped);
      drain.spent.bytes += answerBytes(shipped, fill.fill.orderKey);
    }
    if (outcome.stale) return 'stale';
    if (Date.now() >= context.deadline) return 'deadline';
  }
  return 'done';
}

/** Leaves the products to the sweeper, due now; `draining` unless the work is another drain's. */
async function handOver(productIds: number[], draining = true): Promise<boolean> {
  await markProductsDueNow(productIds);
  return draining;
}

function withinBudget(spent: AnswerBudget, event: ShipmentEvent, orderKey: string, budget: AnswerBudget): boolean {
  return (
    spent.packages + packageCount(event) <= budget.packages &&
    spent.bytes + answerBytes(event, orderKey) <= budget.bytes
  );
}

/**
 * Bytes the event's packages take in a JSON answer: per package its fixed fields (shipment and
 * order id, mass, time) and per line its `{product_id, quantity}`, each counted at its longest.
 */
export function answerBytes(event: ShipmentEvent, orderKey: string): number {
  const perPackage = 140 + orderKey.length + event.eventId.length;
  const perLine = 50;
  return event.patterns.reduce((n, p) => n + p.count * (perPackage + perLine * p.lines.length), 0);
}
