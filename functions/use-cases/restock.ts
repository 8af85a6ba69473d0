/**
 * process_restock (HTTP and EventBridge): stock lands on hand, then the drain fills waiting
 * orders (SPEC rules 4, 6, 8). The restock record, created in the same transaction as the
 * first stock change, is what makes a replayed key change nothing; its lease tells a replay
 * whether the first request is still at work or died (then the replay finishes the work).
 */
import { randomUUID } from 'node:crypto';
import { logger } from '../commons/logger.js';
import { ConflictError, InvalidValueError, NotFoundError, RequestInProgressError } from '../domain/errors.js';
import {
  type LotName,
  MAX_LOTS_ON_HAND,
  namedLots,
  productsOverLotCap,
  type ResolvedRestockLine,
  type RestockLine,
  restockLotProblems,
} from '../domain/lots.js';
import type { Quantities, Shipment, StockedProduct } from '../domain/model.js';
import { type OrderId, orderIdFromKey } from '../domain/order-id.js';
import { expandShipments, type ShipmentEvent } from '../domain/order-record.js';
import { getProducts } from '../store/catalog-store.js';
import {
  applyPendingStock,
  completeRestock,
  createRestock,
  getRestock,
  knownLotKey,
  readLots,
  type RestockRecord,
  restockFitsOnePart,
  restockShipments,
  type KnownLots,
  takeOverRestock,
  type WrittenOffLine,
} from '../store/restock-store.js';
import { nobodySeenWaiting, rememberProducts, rememberRestocked } from './catalog-cache.js';
import { type AnswerBudget, fillBackorders } from './fill-backorders.js';
import { rememberedRestock, rememberRestockAnswer } from './replay-memory.js';
import { packUnpacked } from './unpacked-parts.js';

export interface RestockInput {
  /** Idempotency-Key header, or `event:<id>` for EventBridge; absent: a fresh key. */
  key?: string;
  /** Merged by product and lot (domain `parseRestockRequest`). */
  lines: RestockLine[];
  /** Epoch ms by which the answer must be ready; the drain hands the rest to the sweeper. */
  deadline: number;
  /** Where a product's line stood in the request body, for error paths. */
  linePath?: (productId: number) => string;
}

export interface RestockAnswer {
  restocked: Array<{ product_id: number; quantity: number; lot: LotName }>;
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
  for (let attempt = 0; ; attempt++) {
    const result = await tryRestock(input, attempt);
    if (result !== LOTS_CHANGED) return result;
  }
}

/**
 * A lot was created or recalled while the restock planned on it, or expired before its commit:
 * read and plan again (a lot recalled or expired is then refused, 422).
 */
const LOTS_CHANGED = Symbol('lots changed');
const LOT_ATTEMPTS = 5;

async function tryRestock(input: RestockInput, attempt: number): Promise<RestockAnswer | typeof LOTS_CHANGED> {
  const key = input.key ?? `auto:${randomUUID()}`;
  const lines: Quantities = new Map();
  for (const l of input.lines) lines.set(l.product_id, (lines.get(l.product_id) ?? 0) + l.quantity);
  const asked = input.lines.map(({ product_id, lot, quantity }) => ({ product_id, lot, quantity }));
  const remembered = input.key ? rememberedRestock<RestockAnswer, AskedLines>(key) : undefined;
  if (remembered) return replayRemembered(key, remembered, asked);
  // A restock whose stock lands in one transaction is checked by that transaction (an unknown
  // product or a used key fails it, changing nothing): no read before it. A larger one checks
  // every product and the key first, since its first part commits before the others.
  const lots = await resolveLots(input);
  if (lots.problems.length > 0) {
    // A replay answers as the first request did, though its lot has expired or was recalled since.
    const first = input.key ? await getRestock(key) : undefined;
    if (first) return replay(first.record, asked, input.deadline);
    throw new InvalidValueError('the restock breaks a lot rule; nothing was restocked', lots.problems);
  }
  if (!restockFitsOnePart(lots.lines)) {
    const [products, existing] = await Promise.all([
      getProducts(lines.keys()),
      input.key ? getRestock(key) : Promise.resolve(undefined),
    ]);
    if (existing) return replay(existing.record, asked, input.deadline);
    refuseUnknown(input, (id) => !products.has(id));
    // The first part's transaction checks the lot cap of its own products only: once it commits,
    // a later part refused for its lots would leave the restock half applied. So every product is
    // checked here, on the read just made, by the rule the transactions apply.
    const over = productsOverLotCap(lots.lines, (id) => products.get(id)!.lots);
    if (over.length > 0)
      throw tooManyLots(
        input,
        over.map((id) => products.get(id)!),
      );
  }
  const record: RestockRecord = {
    key,
    lines,
    lots: lots.lines,
    status: 'applying',
    leaseUntil: leaseUntil(input.deadline),
    draining: false,
    createdAt: new Date().toISOString(),
  };
  const { created, drainFollows } = await recordRestock(record, lots.known);
  if (created.kind === 'lots-changed') {
    if (attempt + 1 >= LOT_ATTEMPTS) throw new Error(`restock ${key}: its lots kept changing`);
    return LOTS_CHANGED;
  }
  if (created.kind === 'too-many-lots') {
    rememberProducts(created.seen.values());
    throw tooManyLots(input, [...created.seen.values()]);
  }
  if (created.kind === 'unknown') {
    refuseUnknown(input, (id) => created.productIds.includes(id));
    throw new Error(`restock ${key} was refused for products it does not name`);
  }
  if (created.kind === 'exists') {
    // The key was used before, or the same key raced in: answer as its replay.
    const raced = await getRestock(key);
    if (raced) return replay(raced.record, asked, input.deadline);
    throw new Error(`restock ${key} reported as existing but not found`);
  }
  if (created.kind === 'created') logWrittenOff(key, created.writtenOff);
  if (!drainFollows) {
    rememberRestocked(record.lots);
    return finalAnswer(input, record, [], false);
  }
  const drained = await drain(record, input.deadline);
  // Every shipment of this restock is one this request made: the answer needs no read.
  const events = drained.shipments
    .map(({ orderKey, event }) => ({ ...event, orderId: orderIdFromKey(orderKey) }))
    .sort((a, b) => (a.eventId < b.eventId ? -1 : 1));
  return finalAnswer(input, record, events, drained.draining);
}

/**
 * The lots' rules (SPEC v2 "Lots and expiry"), checked on the lots as they are (one read, only
 * when a line names a lot), and each line's expiry: its own, or the one the lot's first restock
 * fixed. The transaction then proves that no lot changed since this read.
 */
async function resolveLots(input: RestockInput) {
  const named = input.lines.flatMap((l) => (l.lot === null ? [] : [{ product_id: l.product_id, lot: l.lot }]));
  const known = named.length > 0 ? await readLots(named) : new Map();
  const problems = restockLotProblems(
    input.lines.map((l) => ({ ...l, path: l.path ?? '' })),
    (productId, lot) => known.get(knownLotKey(productId, lot)),
    new Date().toISOString(),
  );
  const lines: ResolvedRestockLine[] = input.lines.map((l) => ({
    product_id: l.product_id,
    lot: l.lot,
    quantity: l.quantity,
    expiresAt: l.lot === null ? null : (known.get(knownLotKey(l.product_id, l.lot))?.expiresAt ?? l.expiresAt ?? null),
  }));
  return { lines, known, problems };
}

/**
 * Units of a later part written off as they arrived (a lot recalled, or created with a later
 * expiry, since the restock was checked): the restock answers as asked, the operator learns it
 * here, from the ledger's `write_off` movements and from the StockWrittenOff events.
 */
function logWrittenOff(key: string, lines: WrittenOffLine[]): void {
  for (const line of lines) logger.warn(WRITTEN_OFF_MESSAGES[line.cause], { restock_key: key, ...line });
}
const WRITTEN_OFF_MESSAGES: Record<WrittenOffLine['cause'], string> = {
  recalled: 'restocked units of a lot recalled while the restock was applied: written off as recalled',
  'lot-expires-later':
    'restocked units of a lot created meanwhile with a later expiry than theirs: written off (other)',
  'too-many-lots': `restocked units of a lot new to a product given other lots meanwhile, up to ${MAX_LOTS_ON_HAND}: written off (other)`,
};

/** The answer of a restock this request completed; kept for replays unless its key was generated. */
function finalAnswer(
  input: RestockInput,
  record: RestockRecord,
  events: Array<ShipmentEvent & { orderId: OrderId }>,
  draining: boolean,
): RestockAnswer {
  const final = answer(record.lots, events, draining);
  return input.key ? remember(input.key, askedOf(record.lots), final) : final;
}

/** What a replay must match: units per product and lot (SPEC "Restock replay"). */
type AskedLines = Array<{ product_id: number; lot: LotName; quantity: number }>;
const askedOf = (lots: ResolvedRestockLine[]): AskedLines =>
  lots.map(({ product_id, lot, quantity }) => ({ product_id, lot, quantity }));

/**
 * Creates the restock. Where nobody seemed to wait for its products (as this function last saw
 * them), the restock is one write whose guards prove it, and no drain follows; if an order waits
 * after all, nothing changed and it is created again for a drain.
 */
async function recordRestock(record: RestockRecord, known: KnownLots) {
  const nobodyWaits = restockFitsOnePart(record.lots) && nobodySeenWaiting(record.lines.keys());
  // Each transaction is checked at its own time: a lot that expired since the read refuses it.
  const created = await createRestock(record, known, { now: new Date().toISOString(), nobodyWaits });
  if (created.kind !== 'waiting') return { created, drainFollows: !(nobodyWaits && created.kind === 'created') };
  rememberProducts(created.seen.values());
  return { created: await createRestock(record, known, { now: new Date().toISOString() }), drainFollows: true };
}

/** A replay of a restock this function answered: its first answer, with no read. */
function replayRemembered(key: string, first: { lines: AskedLines; answer: RestockAnswer }, lines: AskedLines) {
  assertSameLines(key, first.lines, lines);
  return first.answer;
}

function assertSameLines(key: string, first: AskedLines, lines: AskedLines): void {
  if (JSON.stringify(first) !== JSON.stringify(lines)) {
    throw new ConflictError(`restock ${key} was already sent with different lines`);
  }
}

/** Small final answers are kept for replays (see replay-memory.ts). */
function remember(key: string, lines: AskedLines, final: RestockAnswer): RestockAnswer {
  if (final.shipments.length <= REMEMBERED_PACKAGES) {
    rememberRestockAnswer(key, lines, final, JSON.stringify(final).length);
  }
  return final;
}
const REMEMBERED_PACKAGES = 256;

/** The restock would leave these products with more than MAX_LOTS_ON_HAND lots: 422, nothing restocked. */
function tooManyLots(input: RestockInput, products: StockedProduct[]): InvalidValueError {
  return new InvalidValueError(
    'the restock would leave a product with too many lots on hand; nothing was restocked',
    products.map((p) => ({
      path: input.linePath?.(p.product_id) ?? '',
      message: `product ${p.product_id} holds ${namedLots(p.lots).length} lots on hand; at most ${MAX_LOTS_ON_HAND}`,
    })),
  );
}

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

async function replay(record: RestockRecord, lines: AskedLines, deadline: number): Promise<RestockAnswer> {
  assertSameLines(record.key, askedOf(record.lots), lines);
  if (record.status === 'done') return answerOf(record.key, record.lots, record.draining);
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
  logWrittenOff(record.key, await applyPendingStock(owned));
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
  return answerOf(record.key, record.lots, drained.draining);
}

/** The answer as first given: every shipment the restock caused, rebuilt from its references. */
async function answerOf(key: string, lots: ResolvedRestockLine[], draining: boolean): Promise<RestockAnswer> {
  const stored = await getRestock(key);
  return remember(key, askedOf(lots), answer(lots, await restockShipments(stored?.refs ?? []), draining));
}

function answer(
  lots: ResolvedRestockLine[],
  events: Array<ShipmentEvent & { orderId: OrderId }>,
  draining: boolean,
): RestockAnswer {
  return {
    restocked: lots.map(({ product_id, quantity, lot }) => ({ product_id, quantity, lot })),
    shipments: events.flatMap((e) => expandShipments(e.orderId, e)),
    draining,
  };
}
