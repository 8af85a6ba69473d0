/**
 * process_restock (HTTP and EventBridge): stock lands on hand, then the drain fills waiting
 * orders (SPEC rules 4, 6, 8). The restock record, created in the same transaction as the
 * first stock change, is what makes a replayed key change nothing; its lease tells a replay
 * whether the first request is still at work or died (then the replay finishes the work).
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, RequestInProgressError } from '../domain/errors.js';
import type { Line, Quantities, Shipment } from '../domain/model.js';
import { type OrderId, orderIdFromKey } from '../domain/order-id.js';
import { expandShipments, sameQuantities, type ShipmentEvent, toLines } from '../domain/order-record.js';
import { getProducts } from '../store/catalog-store.js';
import {
  applyPendingStock,
  completeRestock,
  createRestock,
  getRestock,
  type RestockRecord,
  restockFitsOnePart,
  restockShipments,
  takeOverRestock,
} from '../store/restock-store.js';
import { nobodySeenWaiting, rememberProducts, rememberRestocked } from './catalog-cache.js';
import { type AnswerBudget, fillBackorders } from './fill-backorders.js';
import { rememberedRestock, rememberRestockAnswer } from './replay-memory.js';
import { packUnpacked } from './unpacked-parts.js';

export interface RestockInput {
  /** Idempotency-Key header, or `event:<id>` for EventBridge; absent: a fresh key. */
  key?: string;
  /** Merged by product. */
  lines: Line[];
  /** Epoch ms by which the answer must be ready; the drain hands the rest to the sweeper. */
  deadline: number;
  /** Where a product's line stood in the request body, for error paths. */
  linePath?: (productId: number) => string;
}

export interface RestockAnswer {
  restocked: Line[];
  shipments: Shipment[];
  draining: boolean;
}

/**
 * SPEC: a restock answer lists at most 10,000 packages; the rest drains asynchronously. The
 * bytes bound keeps the answer under Lambda's 6 MB response limit whatever the packages hold
 * (10,000 packages of 100 lines each would be about 45 MB).
 */
export const ANSWER_BUDGET: AnswerBudget = { packages: 10_000, bytes: 4 * 1024 * 1024 };

/**
 * A request owns its restock until its drain deadline plus this margin (time to record and send
 * the answer); after that a replay or the sweeper may take over. Taking over a request that is
 * still alive would be safe (each stock part is guarded), only wasteful. RESTOCK_LEASE_MS sets
 * the whole lease for fault tests.
 */
const LEASE_MARGIN_MS = 5_000;
const leaseUntil = (deadline: number) =>
  process.env.RESTOCK_LEASE_MS ? Date.now() + Number(process.env.RESTOCK_LEASE_MS) : deadline + LEASE_MARGIN_MS;

export async function restock(input: RestockInput): Promise<RestockAnswer> {
  const key = input.key ?? `auto:${randomUUID()}`;
  const lines: Quantities = new Map(input.lines.map((l) => [l.product_id, l.quantity]));
  const remembered = input.key ? rememberedRestock<RestockAnswer>(key) : undefined;
  if (remembered) return replayRemembered(key, remembered, lines);
  // A restock whose stock lands in one transaction is checked by that transaction (an unknown
  // product or a used key fails it, changing nothing): no read before it. A larger one checks
  // every product and the key first, since its first part commits before the others.
  if (!restockFitsOnePart(lines)) {
    const [products, existing] = await Promise.all([
      getProducts(lines.keys()),
      input.key ? getRestock(key) : Promise.resolve(undefined),
    ]);
    if (existing) return replay(existing.record, lines, input.deadline);
    refuseUnknown(input, (id) => !products.has(id));
  }
  const record: RestockRecord = {
    key,
    lines,
    status: 'applying',
    leaseUntil: leaseUntil(input.deadline),
    draining: false,
    createdAt: new Date().toISOString(),
  };
  const { created, drainFollows } = await recordRestock(record);
  if (created.kind === 'unknown') {
    refuseUnknown(input, (id) => created.productIds.includes(id));
    throw new Error(`restock ${key} was refused for products it does not name`);
  }
  if (created.kind === 'exists') {
    // The key was used before, or the same key raced in: answer as its replay.
    const raced = await getRestock(key);
    if (raced) return replay(raced.record, lines, input.deadline);
    throw new Error(`restock ${key} reported as existing but not found`);
  }
  if (!drainFollows) {
    rememberRestocked(lines);
    return finalAnswer(input, record.lines, [], false);
  }
  const drained = await drain(record, input.deadline);
  // Every shipment of this restock is one this request made: the answer needs no read.
  const events = drained.shipments
    .map(({ orderKey, event }) => ({ ...event, orderId: orderIdFromKey(orderKey) }))
    .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  return finalAnswer(input, record.lines, events, drained.draining);
}

/** The answer of a restock this request completed; kept for replays unless its key was generated. */
function finalAnswer(
  input: RestockInput,
  lines: Quantities,
  events: Array<ShipmentEvent & { orderId: OrderId }>,
  draining: boolean,
): RestockAnswer {
  const final = answer(lines, events, draining);
  return input.key ? remember(input.key, lines, final) : final;
}

/**
 * Creates the restock. Where nobody seemed to wait for its products (as this function last saw
 * them), the restock is one write whose guards prove it, and no drain follows; if an order waits
 * after all, nothing changed and it is created again for a drain.
 */
async function recordRestock(record: RestockRecord) {
  const nobodyWaits = restockFitsOnePart(record.lines) && nobodySeenWaiting(record.lines.keys());
  const created = await createRestock(record, { nobodyWaits });
  if (created.kind !== 'waiting') return { created, drainFollows: !(nobodyWaits && created.kind === 'created') };
  rememberProducts(created.seen.values());
  return { created: await createRestock(record), drainFollows: true };
}

/** A replay of a restock this function answered: its first answer, with no read. */
function replayRemembered(key: string, first: { lines: Quantities; answer: RestockAnswer }, lines: Quantities) {
  assertSameLines(key, first.lines, lines);
  return first.answer;
}

function assertSameLines(key: string, first: Quantities, lines: Quantities): void {
  if (!sameQuantities(first, lines)) throw new ConflictError(`restock ${key} was already sent with different lines`);
}

/** Small final answers are kept for replays (see replay-memory.ts). */
function remember(key: string, lines: Quantities, final: RestockAnswer): RestockAnswer {
  if (final.shipments.length <= REMEMBERED_PACKAGES) {
    rememberRestockAnswer(key, lines, final, JSON.stringify(final).length);
  }
  return final;
}
const REMEMBERED_PACKAGES = 256;

function refuseUnknown(input: RestockInput, unknown: (productId: number) => boolean): void {
  const lines = input.lines.filter((l) => unknown(l.product_id));
  if (lines.length === 0) return;
  throw new NotFoundError(
    'the restock names products that are not in the catalog',
    lines.map((l) => ({ path: input.linePath?.(l.product_id) ?? '', message: `unknown product_id ${l.product_id}` })),
  );
}

/** Drains, then records the final answer's `draining`: from then on, replays return that answer. */
async function drain(record: RestockRecord, deadline: number) {
  const drained = await fillBackorders(record.lines.keys(), {
    requestId: record.key,
    restockKey: record.key,
    deadline,
    budget: ANSWER_BUDGET,
  });
  await completeRestock(record.key, drained.draining);
  return drained;
}

async function replay(record: RestockRecord, lines: Quantities, deadline: number): Promise<RestockAnswer> {
  assertSameLines(record.key, record.lines, lines);
  if (record.status === 'done') return answerOf(record.key, record.lines, record.draining);
  const now = Date.now();
  if (record.leaseUntil > now) {
    throw new RequestInProgressError(
      `restock ${record.key} is still being applied`,
      Math.max(1, Math.ceil((record.leaseUntil - now) / 1000)),
    );
  }
  return resumeRestock(record, deadline);
}

/** The owner of this restock died (its lease is over): finish its work, once. */
export async function resumeRestock(record: RestockRecord, deadline: number): Promise<RestockAnswer> {
  const lease = leaseUntil(deadline);
  if (!(await takeOverRestock(record.key, record.leaseUntil, lease))) {
    throw new RequestInProgressError(`restock ${record.key} is being finished by another request`, 1);
  }
  const owned = { ...record, leaseUntil: lease };
  await applyPendingStock(owned);
  const before = await getRestock(record.key);
  const drained = await fillBackorders(record.lines.keys(), {
    requestId: record.key,
    restockKey: record.key,
    deadline,
    budget: ANSWER_BUDGET,
    resumed: true,
    // Orders the first owner shipped to get nothing more from this restock (SPEC rule 2).
    served: before?.refs.map((ref) => ref.orderKey),
  });
  // Orders the first owner filled in parts and this drain did not reach: pack what it left.
  for (const orderKey of (await getRestock(record.key))?.partOrders ?? []) {
    await packUnpacked(orderKey, record.key, record.key);
  }
  await completeRestock(record.key, drained.draining);
  // The answer includes what the first owner shipped before it died.
  return answerOf(record.key, record.lines, drained.draining);
}

/** The answer as first given: every shipment the restock caused, rebuilt from its references. */
async function answerOf(key: string, lines: Quantities, draining: boolean): Promise<RestockAnswer> {
  const stored = await getRestock(key);
  return remember(key, lines, answer(lines, await restockShipments(stored?.refs ?? []), draining));
}

function answer(
  lines: Quantities,
  events: Array<ShipmentEvent & { orderId: OrderId }>,
  draining: boolean,
): RestockAnswer {
  return {
    restocked: toLines(lines),
    shipments: events.flatMap((e) => expandShipments(e.orderId, e)),
    draining,
  };
}
