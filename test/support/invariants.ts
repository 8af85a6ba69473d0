/**
 * The SPEC rules as checks over the whole stored state, read with a test-only Scan (the
 * service itself never scans). Each returns a list of violations, empty when the rule holds.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../../functions/commons/dynamodb.js';
import type { Priority } from '../../functions/domain/priority.js';
import type { MovementRecord } from '../../functions/domain/movement.js';
import { movementsFromItem } from '../../functions/store/items/movement-item.js';
import { decodePatterns } from '../../functions/store/items/shipment-item.js';
import { priorityOfQueueKey } from '../../functions/store/keys.js';
import { MAX_LOTS_ON_HAND, TAKE_HORIZON_MS } from '../../functions/domain/lots.js';
import { followStream, sequenceLedger, streamArn } from './ledger.js';

type Units = Array<{ product_id: number; quantity: number }>;

export interface StoredState {
  products: Map<
    number,
    {
      on_hand: number;
      backordered: number;
      backordered_emergency: number;
      backordered_urgent: number;
      emergency_reserve: number;
      restocked: number;
      shipped: number;
      written_off: number;
      seq: number;
      mass_g: number;
      /** The drain lease, if one is held: named in a rule 8 violation (a dead drain's lease delays the sweeper). */
      drainer?: string;
      drain_until?: number;
      /** Units on hand per lot (the unnamed lot under `~`), and each expiring lot's expiry. */
      lots: Record<string, number>;
      expiries: Record<string, string>;
    }
  >;
  /** Named lots as their LotItems record them, by `<product_id>/<lot>`. */
  lots: Map<
    string,
    {
      expires_at?: string;
      recalled: boolean;
      restocked: number;
      shipped: number;
      written_off: number;
      /** The sweeper's mark (`attention_sk`), if the lot carries one. */
      mark?: string;
    }
  >;
  /** The movement ledger, per product, in the order the items were read (sorted by the checks). */
  movements: Map<number, MovementRecord[]>;
  /** Whether the ledger was sequenced (the table has a stream) and is checked. */
  ledger: boolean;
  orders: Map<
    string,
    {
      requested: Record<string, number>;
      queue_key: string;
      parts_done?: number;
      parts_total?: number;
      list_pk?: string;
      list_sk?: string;
      summary?: { status: string; packages: number; shipped: Units; cancelled: Units; backordered: Units };
    }
  >;
  shipments: Array<{
    orderKey: string;
    requestId: string;
    eventId: string;
    shippedAt: string;
    packages: Array<{ mass_g: number; lines: Units }>;
    /** Per product, the lots its units came from (absent: all from the unnamed lot). */
    lots?: Record<string, Array<[string | null, number]>>;
  }>;
  /** Units taken from stock for an order and not packed yet. */
  parts: Array<{ orderKey: string; requestId: string; units: Units }>;
  waits: Array<{ product_id: number; queue_key: string; order_key: string; remaining: number }>;
  /** Units cancellations took out of the queues, per order and product. */
  cancelled: Map<string, Map<number, number>>;
}

export async function readState(): Promise<StoredState> {
  // The ledger is listed from the stream (in AWS by the sequencer function): list it all first.
  const ledger = (await streamArn()) !== undefined;
  if (ledger) {
    await sequenceLedger();
    // And the stream's other follower: settled orders filed in the order lists.
    await followStream();
  }
  const state: StoredState = {
    ledger,
    products: new Map(),
    orders: new Map(),
    shipments: [],
    parts: [],
    waits: [],
    cancelled: new Map(),
    movements: new Map(),
    lots: new Map(),
  };
  let start: Record<string, unknown> | undefined;
  do {
    const res = await documentClient().send(
      new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of res.Items ?? []) {
      const pk = String(item.pk);
      const sk = String(item.sk);
      if (pk.startsWith('PRODUCT#') && sk === 'PRODUCT') {
        state.products.set(Number(item.product_id), {
          on_hand: item.on_hand,
          backordered: item.backordered,
          backordered_emergency: item.backordered_emergency,
          backordered_urgent: item.backordered_urgent,
          emergency_reserve: item.emergency_reserve,
          restocked: item.restocked,
          shipped: item.shipped,
          written_off: item.written_off,
          seq: item.seq,
          mass_g: item.mass_g,
          drainer: item.drainer,
          drain_until: item.drain_until,
          lots: item.lot_q ?? {},
          expiries: Object.fromEntries(
            Object.entries(item)
              .filter(([k]) => k.startsWith('exp:'))
              .map(([k, v]) => [k.slice('exp:'.length), String(v)]),
          ),
        });
      } else if (pk.startsWith('PRODUCT#') && sk.startsWith('LOT#')) {
        state.lots.set(`${item.product_id}/${item.lot}`, {
          ...(item.expires_at ? { expires_at: item.expires_at } : {}),
          recalled: item.recalled === true,
          restocked: item.restocked,
          shipped: item.shipped ?? 0,
          written_off: item.written_off ?? 0,
          ...(typeof item.attention_sk === 'string' ? { mark: item.attention_sk } : {}),
        });
      } else if (pk.startsWith('PRODUCT#') && sk.startsWith('MOVE#')) {
        const id = Number(item.product_id);
        state.movements.set(id, [...(state.movements.get(id) ?? []), ...movementsFromItem(item)]);
      } else if (pk.startsWith('PRODUCT#') && sk.startsWith('WAIT#')) {
        state.waits.push({
          product_id: item.product_id,
          queue_key: item.queue_key,
          order_key: item.order_key,
          remaining: item.remaining,
        });
      } else if (pk.startsWith('ORDER#') && sk === 'ORDER') {
        state.orders.set(String(item.order_key), item as never);
      } else if (pk.startsWith('ORDER#') && sk.startsWith('SHIP#')) {
        const packages = decodePatterns(item.patterns, item.product_ids).flatMap((p) =>
          Array.from({ length: p.count }, () => ({ mass_g: p.mass_g, lines: p.lines })),
        );
        state.shipments.push({
          orderKey: pk.slice('ORDER#'.length),
          requestId: item.request_id,
          eventId: item.event_id,
          shippedAt: item.shipped_at,
          packages,
          ...(item.lots ? { lots: item.lots } : {}),
        });
      } else if (pk.startsWith('ORDER#') && sk.startsWith('CANCEL#')) {
        const orderKey = pk.slice('ORDER#'.length);
        const units = state.cancelled.get(orderKey) ?? new Map<number, number>();
        for (const [p, q] of Object.entries(item.units as Record<string, number>)) {
          units.set(Number(p), (units.get(Number(p)) ?? 0) + q);
        }
        state.cancelled.set(orderKey, units);
      } else if (pk.startsWith('ORDER#') && sk.startsWith('PART#')) {
        const units = Object.entries(item.units as Record<string, number>).map(([p, q]) => ({
          product_id: Number(p),
          quantity: q,
        }));
        state.parts.push({ orderKey: pk.slice('ORDER#'.length), requestId: item.request_id, units });
      }
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return state;
}

/**
 * Rules 1 and 5 and the bookkeeping behind the views hold at every committed state; `idle`
 * (no request in flight, nothing left for the sweeper) adds rule 8 and complete orders.
 */
export function violations(state: StoredState, { idle = true } = {}): string[] {
  const out: string[] = [];
  const shippedByProduct = new Map<number, number>();
  const shippedByOrder = new Map<string, Map<number, number>>();
  const count = (orderKey: string, p: number, q: number) => {
    shippedByProduct.set(p, (shippedByProduct.get(p) ?? 0) + q);
    const order = shippedByOrder.get(orderKey) ?? new Map<number, number>();
    order.set(p, (order.get(p) ?? 0) + q);
    shippedByOrder.set(orderKey, order);
  };
  for (const s of state.shipments) {
    for (const pkg of s.packages) {
      const units = pkg.lines.reduce((n, l) => n + l.quantity, 0);
      if (units < 1) out.push(`rule 1: empty package in ${s.eventId}`);
      const mass = pkg.lines.reduce((m, l) => m + l.quantity * (state.products.get(l.product_id)?.mass_g ?? NaN), 0);
      if (pkg.mass_g > 1800 || mass > 1800) out.push(`rule 1: package of ${mass} g in ${s.eventId}`);
      if (mass !== pkg.mass_g) out.push(`package mass ${pkg.mass_g} g stated, ${mass} g counted in ${s.eventId}`);
      for (const l of pkg.lines) count(s.orderKey, l.product_id, l.quantity);
    }
  }
  for (const part of state.parts) {
    if (idle) out.push(`order ${part.orderKey}: units of ${part.requestId} left unpacked`);
    for (const l of part.units) count(part.orderKey, l.product_id, l.quantity);
  }
  out.push(...lotViolations(state));
  for (const [id, p] of state.products) {
    if (p.on_hand < 0) out.push(`rule 5: product ${id} on hand ${p.on_hand}`);
    if (p.restocked !== p.on_hand + p.shipped + p.written_off) {
      out.push(
        `rule 5: product ${id} restocked ${p.restocked} != on hand ${p.on_hand} + shipped ${p.shipped} + written off ${p.written_off}`,
      );
    }
    if (state.ledger) out.push(...ledgerViolations(id, p, state.movements.get(id) ?? [], shippedByOrder));
    // Packages and unpacked parts are written with the stock they take, so this holds at every commit.
    const taken = shippedByProduct.get(id) ?? 0;
    if (taken !== p.shipped) out.push(`rule 5: product ${id} counts ${p.shipped} shipped, orders received ${taken}`);
    const queue = state.waits.filter((w) => w.product_id === id);
    const waiting = (priority?: Priority) =>
      queue
        .filter((w) => !priority || priorityOfQueueKey(w.queue_key) === priority)
        .reduce((n, w) => n + w.remaining, 0);
    if (waiting() !== p.backordered) out.push(`product ${id} backordered ${p.backordered}, queue holds ${waiting()}`);
    for (const [priority, counted] of [
      ['emergency', p.backordered_emergency],
      ['urgent', p.backordered_urgent],
    ] as const) {
      if (waiting(priority) !== counted) {
        out.push(`product ${id} counts ${counted} waiting for ${priority} orders, queue holds ${waiting(priority)}`);
      }
    }
    // Rule 8 in SPEC's words: no usable unit on hand while an emergency order waits, none above
    // the reserve while any order waits (stated here, not taken from the code under test).
    // Usable: in a lot that does not expire within a take's horizon from now.
    const usable = usableNow(id, p, state);
    if (idle && usable > 0 && waiting('emergency') > 0) {
      out.push(`rule 8: product ${id} has ${usable} usable on hand while ${waiting('emergency')} wait for emergencies`);
    }
    if (idle && usable > p.emergency_reserve && waiting() > 0) {
      const lease = p.drainer
        ? ` (drain lease of ${p.drainer} until ${new Date(Number(p.drain_until)).toISOString()})`
        : '';
      out.push(
        `rule 8: product ${id} has ${usable} usable on hand (reserve ${p.emergency_reserve}) while ${waiting()} wait${lease}`,
      );
    }
  }
  const packagesByOrder = new Map<string, number>();
  for (const sh of state.shipments)
    packagesByOrder.set(sh.orderKey, (packagesByOrder.get(sh.orderKey) ?? 0) + sh.packages.length);
  for (const [key, o] of state.orders) {
    const complete = o.parts_total === undefined || o.parts_done === o.parts_total;
    if (state.ledger && idle)
      out.push(...orderListViolations(key, o, state, shippedByOrder, packagesByOrder.get(key) ?? 0));
    if (idle && !complete) out.push(`order ${key}: creation left at part ${o.parts_done} of ${o.parts_total}`);
    for (const [p, q] of Object.entries(o.requested)) {
      const shipped = shippedByOrder.get(key)?.get(Number(p)) ?? 0;
      const waiting = state.waits
        .filter((w) => w.order_key === key && w.product_id === Number(p))
        .reduce((n, w) => n + w.remaining, 0);
      const cancelled = state.cancelled.get(key)?.get(Number(p)) ?? 0;
      // Every unit requested is shipped, waiting or cancelled, exactly once.
      if (complete ? shipped + waiting + cancelled !== q : shipped + waiting + cancelled > q) {
        out.push(
          `order ${key} product ${p}: shipped ${shipped} + waiting ${waiting} + cancelled ${cancelled} vs requested ${q}`,
        );
      }
    }
  }
  return out;
}

type StoredProduct = StoredState['products'] extends Map<number, infer P> ? P : never;

/** Units of lots neither recalled nor expiring within a take's horizon from now. */
function usableNow(id: number, p: StoredProduct, state: StoredState): number {
  const horizon = new Date(Date.now() + TAKE_HORIZON_MS).toISOString();
  return Object.entries(p.lots).reduce((n, [lot, q]) => {
    const expiry = p.expiries[lot];
    const recalled = state.lots.get(`${id}/${lot}`)?.recalled === true;
    return n + (recalled || (expiry !== undefined && expiry <= horizon) ? 0 : q);
  }, 0);
}

/**
 * Lots (SPEC v2, rules 5 and 10): each product's lots add up to its units on hand, none below
 * zero, at most MAX_LOTS_ON_HAND named ones, each expiry the one its LotItem fixed, each expiring
 * lot with units on hand marked for the sweeper (SPEC v2 "Lots and expiry"); a shipment's
 * lots add up to its units per product, and none was shipped from a lot expired when it shipped.
 */
function lotViolations(state: StoredState): string[] {
  const out: string[] = [];
  for (const [id, p] of state.products) {
    const sum = Object.values(p.lots).reduce((n, q) => n + q, 0);
    if (sum !== p.on_hand) out.push(`rule 5: product ${id} lots hold ${sum}, on hand ${p.on_hand}`);
    for (const [lot, q] of Object.entries(p.lots)) {
      if (q < 0) out.push(`rule 5: product ${id} lot ${lot} holds ${q}`);
      if (lot !== '~' && q === 0) out.push(`product ${id} keeps empty lot ${lot}`);
      const record = state.lots.get(`${id}/${lot}`);
      if (lot !== '~' && !record) out.push(`product ${id} holds lot ${lot} without its LotItem`);
      if (record && p.expiries[lot] !== record.expires_at) {
        out.push(`product ${id} lot ${lot} expires at ${p.expiries[lot]}, its LotItem says ${record.expires_at}`);
      }
      // Units of a lot that expires are written off by the sweeper once it has: the lot must carry
      // its mark, due at its expiry, for as long as it holds any (else they stay on hand for good).
      if (q > 0 && record?.expires_at && !record.mark?.startsWith(`${record.expires_at}#`)) {
        out.push(`product ${id} lot ${lot} holds ${q} expiring at ${record.expires_at} without the sweeper's mark`);
      }
    }
    if (Object.keys(p.lots).length > MAX_LOTS_ON_HAND + 1) out.push(`product ${id} holds too many lots`);
  }
  // Conservation per lot (rule 5), as the LotView counts it once the follower has run: each named
  // lot's counters equal its movements, so restocked = on hand + shipped + written off.
  if (state.ledger) {
    for (const [key, record] of state.lots) {
      const [id, lot] = [Number(key.slice(0, key.indexOf('/'))), key.slice(key.indexOf('/') + 1)];
      const sums = { restock: 0, shipment: 0, write_off: 0 };
      for (const m of state.movements.get(id) ?? []) if (m.lot === lot) sums[m.cause.kind] += Math.abs(m.quantity);
      const onHand = state.products.get(id)?.lots[lot] ?? 0;
      if (
        record.restocked !== sums.restock ||
        record.shipped !== sums.shipment ||
        record.written_off !== sums.write_off
      ) {
        out.push(
          `rule 5: lot ${lot} of product ${id} counts ${record.restocked} restocked, ${record.shipped} shipped, ${record.written_off} written off; its movements ${sums.restock}, ${sums.shipment}, ${sums.write_off}`,
        );
      }
      if (record.restocked !== onHand + record.shipped + record.written_off) {
        out.push(
          `rule 5: lot ${lot} of product ${id}: restocked ${record.restocked} != on hand ${onHand} + shipped + written off`,
        );
      }
      if (record.recalled && onHand > 0) out.push(`lot ${lot} of product ${id} is recalled with ${onHand} on hand`);
    }
  }
  for (const s of state.shipments) {
    const units = new Map<number, number>();
    for (const pkg of s.packages)
      for (const l of pkg.lines) units.set(l.product_id, (units.get(l.product_id) ?? 0) + l.quantity);
    for (const [product, quantity] of units) {
      const lots = s.lots?.[String(product)] ?? [[null, quantity]];
      const sum = lots.reduce((n, [, q]) => n + q, 0);
      if (sum !== quantity) out.push(`shipment ${s.eventId}: product ${product} lots ${sum}, units ${quantity}`);
      for (const [lot] of lots) {
        const expiry = lot === null ? undefined : state.lots.get(`${product}/${lot}`)?.expires_at;
        if (expiry !== undefined && expiry <= s.shippedAt) {
          out.push(
            `rule 10: shipment ${s.eventId} shipped lot ${lot} of product ${product} at ${s.shippedAt}, expired ${expiry}`,
          );
        }
      }
    }
  }
  return out;
}

/**
 * The movement ledger (SPEC v2): the product's movements are numbered 1..seq without a gap,
 * summing them gives the units on hand after each one and at the end, each kind sums to its audit
 * counter, and the shipment movements of each order are the units it received.
 */
function ledgerViolations(
  id: number,
  p: StoredState['products'] extends Map<number, infer P> ? P : never,
  movements: MovementRecord[],
  shippedByOrder: Map<string, Map<number, number>>,
): string[] {
  const out: string[] = [];
  const sorted = [...movements].sort((a, b) => a.seq - b.seq);
  if (sorted.length !== p.seq || sorted.some((m, i) => m.seq !== i + 1)) {
    out.push(
      `ledger: product ${id} has ${sorted.length} movements numbered ${sorted[0]?.seq}..${sorted.at(-1)?.seq}, seq ${p.seq}`,
    );
  }
  let onHand = 0;
  const byLot = new Map<string, number>();
  const byKind = { restock: 0, shipment: 0, write_off: 0 };
  const byOrder = new Map<string, number>();
  for (const m of sorted) {
    onHand += m.quantity;
    byLot.set(m.lot ?? '~', (byLot.get(m.lot ?? '~') ?? 0) + m.quantity);
    if (m.onHandAfter !== onHand)
      out.push(`ledger: product ${id} movement ${m.seq} says ${m.onHandAfter} on hand, sum ${onHand}`);
    if (onHand < 0) out.push(`ledger: product ${id} below zero after movement ${m.seq}`);
    byKind[m.cause.kind] += Math.abs(m.quantity);
    if (m.cause.kind === 'shipment') byOrder.set(m.cause.orderKey, (byOrder.get(m.cause.orderKey) ?? 0) - m.quantity);
  }
  if (onHand !== p.on_hand) out.push(`ledger: product ${id} movements sum to ${onHand}, on hand ${p.on_hand}`);
  // Conservation per lot (rule 5): each lot's movements sum to its units on hand.
  for (const lot of new Set([...byLot.keys(), ...Object.keys(p.lots)])) {
    if ((byLot.get(lot) ?? 0) !== (p.lots[lot] ?? 0)) {
      out.push(`ledger: product ${id} lot ${lot} movements sum to ${byLot.get(lot) ?? 0}, on hand ${p.lots[lot] ?? 0}`);
    }
  }
  for (const [kind, counter] of [
    ['restock', p.restocked],
    ['shipment', p.shipped],
    ['write_off', p.written_off],
  ] as const) {
    if (byKind[kind] !== counter)
      out.push(`ledger: product ${id} ${kind} movements ${byKind[kind]}, counter ${counter}`);
  }
  for (const [orderKey, units] of byOrder) {
    const received = shippedByOrder.get(orderKey)?.get(id) ?? 0;
    if (units !== received)
      out.push(`ledger: order ${orderKey} product ${id}: movements ${units}, received ${received}`);
  }
  return out;
}

/**
 * Order lists (SPEC v2), once the stream's follower has run and nothing is in flight: an order
 * with units waiting is open; a settled one is filed under its status with a summary that matches
 * its packages and units; its list key is its creation time and key.
 */
function orderListViolations(
  key: string,
  o: StoredState['orders'] extends Map<string, infer O> ? O : never,
  state: StoredState,
  shippedByOrder: Map<string, Map<number, number>>,
  packages: number,
): string[] {
  const out: string[] = [];
  const waiting = state.waits.filter((w) => w.order_key === key).reduce((n, w) => n + w.remaining, 0);
  const cancelled = [...(state.cancelled.get(key)?.values() ?? [])].reduce((n, q) => n + q, 0);
  const list = String(o.list_pk ?? '').split('#', 1)[0];
  const expected = waiting > 0 ? 'OPEN' : cancelled > 0 ? 'CANCELLED' : 'FULFILLED';
  if (list !== expected) out.push(`order lists: order ${key} is in ${list}, expected ${expected}`);
  if (o.list_sk !== o.queue_key.slice(o.queue_key.indexOf('#') + 1)) {
    out.push(`order lists: order ${key} sorts as ${o.list_sk}, created as ${o.queue_key}`);
  }
  if (expected === 'OPEN') return out;
  const summary = o.summary;
  const shipped = shippedByOrder.get(key) ?? new Map<number, number>();
  const shippedUnits = [...shipped.values()].reduce((n, q) => n + q, 0);
  const summed = (lines: Units | undefined) => (lines ?? []).reduce((n, l) => n + l.quantity, 0);
  if (
    !summary ||
    summary.status !== expected.toLowerCase() ||
    summary.packages !== packages ||
    summed(summary.shipped) !== shippedUnits ||
    summed(summary.cancelled) !== cancelled ||
    summed(summary.backordered) !== 0
  ) {
    out.push(
      `order lists: order ${key} filed as ${JSON.stringify(summary && { ...summary, requested: undefined })}, ` +
        `holds ${packages} packages, ${shippedUnits} shipped, ${cancelled} cancelled`,
    );
  }
  return out;
}
