/**
 * The drain: restocked units go to waiting orders in serve order for each product (SPEC rule 4),
 * until nothing is on hand or nobody waits (rule 8). Each order gets one shipment per pass,
 * packed over all the products it receives (rule 2). Every fill is guarded in the store; a lost
 * race re-reads and re-plans.
 */
import { type PlannedFill, planFills, type QueueEntry } from '../domain/allocation.js';
import type { Quantities, StockedProduct } from '../domain/model.js';
import { orderIdFromKey } from '../domain/order-id.js';
import { packageCount, type ShipmentEvent } from '../domain/order-record.js';
import { clearProductMark, markProductsDueNow } from '../store/attention-store.js';
import { getProductsWithMarkers } from '../store/catalog-store.js';
import { commitFill, readQueue } from '../store/fill-store.js';
import { rememberProducts } from './catalog-cache.js';
import { pause } from './retry.js';
import { logShipped, makeShipmentEvent } from './shipments.js';
import { packUnpacked } from './unpacked-parts.js';

export interface DrainContext {
  /** Shipments are tagged with it (the restock key, or the sweep's id). */
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

export async function fillBackorders(productIds: Iterable<number>, context: DrainContext): Promise<DrainResult> {
  const ids = [...new Set(productIds)];
  const shipments: DrainResult['shipments'] = [];
  const spent = { packages: 0, bytes: 0 };
  const handOver = async (busy: number[]) => {
    await markProductsDueNow(busy);
    return { shipments, draining: true };
  };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const products = await getProductsWithMarkers(ids);
    rememberProducts([...products.values()].map((p) => p.product));
    const busy = [...products.values()].filter((p) => p.product.on_hand > 0 && p.product.backordered > 0);
    // Products with nothing left to do lose their sweeper marker (unless a newer restock set one).
    const settled = [...products.values()].filter((p) => !busy.includes(p) && p.attentionSk);
    for (const p of settled) await clearProductMark(p.product.product_id, p.attentionSk!);
    const busyIds = busy.map((p) => p.product.product_id);
    if (busy.length === 0) return { shipments, draining: false };
    if (Date.now() >= context.deadline) return handOver(busyIds);
    const queues = new Map<number, QueueEntry[]>();
    for (const id of busyIds) queues.set(id, await readQueue(id, products.get(id)!.product.on_hand));
    const onHand = new Map(busy.map(({ product }) => [product.product_id, product.on_hand]));
    const stock = new Map(busy.map(({ product }) => [product.product_id, product]));
    for (const fill of planFills(onHand, queues)) {
      const units: Quantities = new Map(fill.lines.map((l) => [l.product_id, l.quantity]));
      const event = makeShipmentEvent(context.requestId, units, stock);
      if (!event) continue;
      if (context.budget && !withinBudget(spent, event, fill.orderKey, context.budget)) return handOver(busyIds);
      const { shipped, stale } = await fillOrder(fill, event, stock, context);
      if (shipped) {
        shipments.push({ orderKey: fill.orderKey, event: shipped });
        spent.packages += packageCount(shipped);
        spent.bytes += answerBytes(shipped, fill.orderKey);
      }
      if (stale) {
        // Another drain or order moved this stock: re-read and re-plan after a short pause.
        await pause(Math.random() * 20);
        break;
      }
      if (Date.now() >= context.deadline) break;
    }
  }
  throw new Error('drain did not settle');
}

/** The shipment the fill caused (packed anew if it went in parts), and whether it lost a race. */
async function fillOrder(
  fill: PlannedFill,
  event: ShipmentEvent,
  stock: Map<number, StockedProduct>,
  context: DrainContext,
): Promise<{ shipped?: ShipmentEvent; stale: boolean }> {
  const orderId = orderIdFromKey(fill.orderKey);
  const outcome = await commitFill({
    fill,
    orderId,
    products: stock,
    requestId: context.requestId,
    shipment: event,
    restockKey: context.restockKey,
    inParts: context.resumed,
    partsDueAt: new Date(context.deadline + PARTS_GRACE_MS).toISOString(),
  });
  switch (outcome.kind) {
    case 'filled':
      logShipped(orderId, event, stock);
      return { shipped: event, stale: false };
    case 'stale':
      return { stale: true };
    case 'in-parts':
      // Whatever parts committed are packed together now, so no unit waits unpacked.
      return {
        shipped: await packUnpacked(fill.orderKey, context.requestId, context.restockKey),
        stale: outcome.stale,
      };
  }
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
