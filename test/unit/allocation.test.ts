import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateOnHand,
  allocateOnHints,
  asOf,
  batchEffect,
  type DrainStock,
  type LineAllocation,
  type LotPriorityStock,
  type PlannedFill,
  planFills,
  type QueueEntry,
} from '../../functions/domain/allocation.js';
import type { LotStock } from '../../functions/domain/lots.js';
import type { Line } from '../../functions/domain/model.js';
import { hasDrainWork, PRIORITIES, type Priority, type PriorityStock } from '../../functions/domain/priority.js';

const NOW = '2026-12-01T12:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(NOW) + hours * 3_600_000).toISOString();

/** Stock with nobody waiting and no reserve, unless told; all of it in the unnamed lot unless lots are given. */
const stock = (over: Partial<LotPriorityStock> = {}): LotPriorityStock => {
  const s: PriorityStock = {
    on_hand: 0,
    emergency_reserve: 0,
    backordered: 0,
    backordered_emergency: 0,
    backordered_urgent: 0,
    ...over,
  };
  const lots = over.lots ?? [{ lot: null, quantity: s.on_hand, expiresAt: null }];
  return { ...s, on_hand: over.lots ? lots.reduce((n, l) => n + l.quantity, 0) : s.on_hand, lots };
};
const allocate = (l: Line, s: LotPriorityStock, p: Priority): LineAllocation => allocateOnHand(l, s, p, NOW);
const planOn = (stocks: Map<number, DrainStock>, queues: Map<number, QueueEntry[]>, served = new Set<string>()) =>
  planFills(stocks, queues, served, NOW);
const effect = (fills: PlannedFill[], before: Map<number, LotPriorityStock>) => batchEffect(fills, before, NOW);
const hinted = (
  lines: Line[],
  hints: Map<number, LotPriorityStock>,
  reserves: Map<number, number>,
  priority: Priority,
) => allocateOnHints(lines, hints, reserves, priority, NOW);
const line = (quantity: number) => ({ product_id: 1, quantity });

describe('allocateOnHand', () => {
  it('ships everything when enough is on hand and nobody waits', () => {
    // The takes carry the lots' version they were planned on: the write's guard (rule 9).
    expect(allocate(line(3), stock({ on_hand: 5, lots_rev: 2 }), 'routine')).toEqual({
      kind: 'ship-all',
      product_id: 1,
      priority: 'routine',
      floor: 0,
      takes: [{ lot: null, quantity: 3, expiresAt: null, empties: false }],
      lotsRev: 2,
      ship: 3,
      backorder: 0,
    });
  });
  it('ships what is on hand and backorders the rest (rule 3)', () => {
    expect(allocate(line(8), stock({ on_hand: 5 }), 'routine')).toMatchObject({
      kind: 'ship-on-hand',
      ship: 5,
      backorder: 3,
    });
  });
  it('takes nothing while an older order waits, even with stock on hand (rule 4)', () => {
    expect(allocate(line(1), stock({ on_hand: 5, backordered: 2 }), 'routine')).toMatchObject({
      kind: 'wait',
      ship: 0,
      backorder: 1,
    });
  });
  it('waits for everything when nothing is on hand', () => {
    expect(allocate(line(4), stock(), 'emergency')).toMatchObject({ kind: 'wait', backorder: 4 });
  });
  it('leaves the emergency reserve to emergencies: routine and urgent take only what is above it', () => {
    const s = stock({ on_hand: 5, emergency_reserve: 3 });
    expect(allocate(line(4), s, 'routine')).toMatchObject({ kind: 'ship-on-hand', ship: 2, floor: 3 });
    expect(allocate(line(2), s, 'urgent')).toMatchObject({ kind: 'ship-all', ship: 2, floor: 3 });
    expect(allocate(line(4), s, 'emergency')).toMatchObject({ kind: 'ship-all', ship: 4, floor: 0 });
    expect(allocate(line(1), stock({ on_hand: 3, emergency_reserve: 3 }), 'urgent')).toMatchObject({
      kind: 'wait',
    });
  });
  it('an emergency order takes the reserve while routine orders wait; an urgent one waits behind urgent ones', () => {
    const routineWaits = stock({ on_hand: 3, emergency_reserve: 3, backordered: 4 });
    expect(allocate(line(5), routineWaits, 'emergency')).toMatchObject({ kind: 'ship-on-hand', ship: 3 });
    expect(allocate(line(1), routineWaits, 'routine')).toMatchObject({ kind: 'wait' });
    const urgentWaits = stock({ on_hand: 6, emergency_reserve: 3, backordered: 4, backordered_urgent: 1 });
    expect(allocate(line(1), urgentWaits, 'urgent')).toMatchObject({ kind: 'wait' });
    expect(allocate(line(1), urgentWaits, 'emergency')).toMatchObject({ kind: 'ship-all' });
    const emergencyWaits = stock({ on_hand: 2, backordered: 4, backordered_emergency: 4 });
    expect(allocate(line(1), emergencyWaits, 'emergency')).toMatchObject({ kind: 'wait' });
  });
  it('never ships more than the priority may take, nor while one of the same or a higher priority waits', () => {
    const stockArb = fc
      .record({
        on_hand: fc.nat(50),
        emergency_reserve: fc.nat(20),
        e: fc.nat(5),
        u: fc.nat(5),
        r: fc.nat(5),
      })
      .map(({ e, u, r, ...s }) =>
        stock({ ...s, backordered: e + u + r, backordered_emergency: e, backordered_urgent: u }),
      );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), stockArb, fc.constantFrom(...PRIORITIES), (quantity, s, p) => {
        const a = allocate(line(quantity), s, p);
        const floor = p === 'emergency' ? 0 : s.emergency_reserve;
        const blocked =
          p === 'emergency'
            ? s.backordered_emergency > 0
            : p === 'urgent'
              ? s.backordered_emergency + s.backordered_urgent > 0
              : s.backordered > 0;
        return (
          a.ship + a.backorder === quantity &&
          a.ship <= Math.max(0, s.on_hand - floor) &&
          (!blocked || a.ship === 0) &&
          // What may ship, ships: nothing usable is left next to a new backorder.
          (a.backorder === 0 || blocked || s.on_hand - a.ship <= floor)
        );
      }),
    );
  });
});

const entry = (
  product_id: number,
  order: string,
  time: number,
  remaining: number,
  priority: Priority = 'routine',
): QueueEntry => ({
  product_id,
  orderKey: order,
  priority,
  queueKey: `${PRIORITIES.indexOf(priority)}#${String(time).padStart(15, '0')}#${order}`,
  remaining,
});
const onHand = (entries: Array<[number, number]>, reserve = 0): Map<number, DrainStock> =>
  new Map(
    entries.map(([id, on_hand]) => [
      id,
      { on_hand, emergency_reserve: reserve, lots: [{ lot: null, quantity: on_hand, expiresAt: null }] },
    ]),
  );

describe('planFills', () => {
  it('gives stock to the oldest order first, per product', () => {
    const planned = planOn(onHand([[1, 4]]), new Map([[1, [entry(1, 'b', 2, 3), entry(1, 'a', 1, 3)]]]));
    expect(planned.map((f) => [f.orderKey, f.lines[0]!.quantity])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
  });
  it('serves by priority first, then oldest first; urgent and routine orders leave the reserve', () => {
    const queue = [
      entry(1, 'old-routine', 1, 3),
      entry(1, 'new-emergency', 9, 2, 'emergency'),
      entry(1, 'urgent', 5, 2, 'urgent'),
    ];
    const planned = planOn(onHand([[1, 6]], 2), new Map([[1, queue]]));
    expect(planned.map((f) => [f.orderKey, f.lines[0]!.quantity])).toEqual([
      ['new-emergency', 2],
      ['urgent', 2],
    ]);
    // Only the reserve on hand: emergencies take it, nobody else.
    const reserveOnly = planOn(onHand([[1, 2]], 2), new Map([[1, queue]]));
    expect(reserveOnly.map((f) => [f.orderKey, f.lines[0]!.quantity])).toEqual([['new-emergency', 2]]);
  });
  it("groups one order's products into one fill, oldest order first", () => {
    const planned = planOn(
      onHand([
        [1, 5],
        [2, 5],
      ]),
      new Map([
        [1, [entry(1, 'a', 1, 2), entry(1, 'b', 2, 2)]],
        [2, [entry(2, 'b', 2, 1)]],
      ]),
    );
    expect(planned.map((f) => f.orderKey)).toEqual(['a', 'b']);
    expect(planned[1]!.lines).toEqual([
      { product_id: 1, quantity: 2, remainingBefore: 2, lots: [{ lot: null, quantity: 2 }] },
      { product_id: 2, quantity: 1, remainingBefore: 1, lots: [{ lot: null, quantity: 1 }] },
    ]);
  });
  it('gives an order this request already served nothing more, and nobody behind it either (rules 2 and 4)', () => {
    const queues = new Map([
      [1, [entry(1, 'a', 1, 2), entry(1, 'b', 2, 2)]],
      [2, [entry(2, 'c', 3, 2)]],
    ]);
    const stocks = onHand([
      [1, 4],
      [2, 4],
    ]);
    expect(planOn(stocks, queues).map((f) => f.orderKey)).toEqual(['a', 'b', 'c']);
    // a got its units from this request: product 1's queue stops there; product 2's goes on.
    expect(planOn(stocks, queues, new Set(['a'])).map((f) => f.orderKey)).toEqual(['c']);
    expect(planOn(stocks, queues, new Set(['b'])).map((f) => f.orderKey)).toEqual(['a', 'c']);
  });
  it('never plans more than may be taken nor more than an order waits for, and skips no one before it', () => {
    fc.assert(
      fc.property(
        fc.nat(50),
        fc.nat(10),
        fc.array(
          fc.record({
            t: fc.nat(1000),
            remaining: fc.integer({ min: 1, max: 20 }),
            priority: fc.constantFrom(...PRIORITIES),
          }),
          { maxLength: 15 },
        ),
        (units, reserve, raw) => {
          const entries = raw.map((r, i) => entry(1, `o${i}`, r.t, r.remaining, r.priority));
          const planned = planOn(onHand([[1, units]], reserve), new Map([[1, entries]]));
          const byKey = [...entries].sort((x, y) => (x.queueKey < y.queueKey ? -1 : 1));
          // Serve order: the orders served are a prefix of the queue, all but the last filled completely.
          const prefixOk = planned.every((f, i) => f.queueKey === byKey[i]!.queueKey);
          const fullOk = planned.slice(0, -1).every((f) => f.lines[0]!.quantity === f.lines[0]!.remainingBefore);
          // Units left after each fill: emergencies take down to 0, the others down to the reserve.
          let left = units;
          const floorOk = planned.every((f) => {
            left -= f.lines[0]!.quantity;
            return left >= (f.priority === 'emergency' ? 0 : reserve);
          });
          // Nothing usable is left for the first order not fully served.
          const last = planned.at(-1)?.lines[0];
          const next = byKey[planned.length - (last && last.quantity < last.remainingBefore ? 1 : 0)];
          const doneOk = !next || left <= (next.priority === 'emergency' ? 0 : reserve);
          return prefixOk && fullOk && floorOk && doneOk;
        },
      ),
    );
  });
});

describe('batchEffect', () => {
  const before = new Map([
    [
      1,
      stock({
        on_hand: 10,
        emergency_reserve: 3,
        backordered: 9,
        backordered_emergency: 2,
        backordered_urgent: 3,
        lots_rev: 4,
      }),
    ],
  ]);
  const fill = (orderKey: string, priority: Priority, quantity: number) => ({
    orderKey,
    queueKey: orderKey,
    priority,
    lines: [{ product_id: 1, quantity, remainingBefore: quantity, lots: [{ lot: null, quantity }] }],
  });
  it('needs only the units given when only emergencies are filled', () => {
    expect(effect([fill('a', 'emergency', 2)], before).get(1)).toEqual({
      product_id: 1,
      quantity: 2,
      takes: [{ lot: null, quantity: 2, expiresAt: null, empties: false }],
      lotsRev: 4,
      emergency: 2,
      urgent: 0,
      need: 2,
    });
  });
  it('keeps the reserve and pins the higher priorities once urgent or routine orders are filled', () => {
    expect(effect([fill('a', 'emergency', 2), fill('b', 'urgent', 3)], before).get(1)).toEqual({
      product_id: 1,
      quantity: 5,
      takes: [{ lot: null, quantity: 5, expiresAt: null, empties: false }],
      lotsRev: 4,
      emergency: 2,
      urgent: 3,
      need: 8,
      pinEmergency: 2,
    });
    expect(effect([fill('c', 'routine', 1)], before).get(1)).toMatchObject({
      need: 4,
      pinEmergency: 2,
      pinUrgent: 3,
    });
  });
});

describe('hasDrainWork', () => {
  it('is work when the first order in serve order may take a unit (rule 8)', () => {
    expect(hasDrainWork(stock({ on_hand: 1, backordered: 1, backordered_emergency: 1, emergency_reserve: 5 }))).toBe(
      true,
    );
    expect(hasDrainWork(stock({ on_hand: 5, backordered: 1, emergency_reserve: 5 }))).toBe(false);
    expect(hasDrainWork(stock({ on_hand: 6, backordered: 1, emergency_reserve: 5 }))).toBe(true);
    expect(hasDrainWork(stock({ on_hand: 6 }))).toBe(false);
    expect(hasDrainWork(stock({ backordered: 3, backordered_emergency: 3 }))).toBe(false);
  });
});

describe('allocateOnHints', () => {
  it('takes a hint run below zero as nothing on hand (never a negative shipment)', () => {
    const [a] = hinted([line(3)], new Map([[1, stock({ on_hand: -2 })]]), new Map(), 'routine');
    expect(a).toMatchObject({ kind: 'wait', ship: 0, backorder: 3 });
  });
  it('plans on the stock last seen, and assumes a product never seen is in stock above its reserve', () => {
    const lines = [
      { product_id: 1, quantity: 3 },
      { product_id: 2, quantity: 3 },
      { product_id: 3, quantity: 3 },
    ];
    const hints = new Map([
      [1, stock()],
      [2, stock({ on_hand: 5, backordered: 2 })],
    ]);
    const planned = hinted(lines, hints, new Map([[3, 4]]), 'urgent');
    expect(planned.map((a) => [a.kind, a.ship, a.backorder, a.floor])).toEqual([
      ['wait', 0, 3, 0],
      ['ship-all', 3, 0, 0],
      ['ship-all', 3, 0, 4],
    ]);
  });
});

describe('allocation with lots (rules 9 and 10)', () => {
  const lots: LotStock[] = [
    { lot: 'LATE', quantity: 4, expiresAt: at(48) },
    { lot: 'GONE', quantity: 5, expiresAt: at(-1) },
    { lot: 'SOON', quantity: 2, expiresAt: at(24) },
    { lot: null, quantity: 3, expiresAt: null },
  ];
  it('takes the usable lot that expires first, and never an expired one', () => {
    const a = allocate(line(7), stock({ lots }), 'emergency');
    expect(a).toMatchObject({ kind: 'ship-all', ship: 7, floor: 5 });
    expect(a.takes.map((t) => [t.lot, t.quantity])).toEqual([
      ['SOON', 2],
      ['LATE', 4],
      [null, 1],
    ]);
  });
  it('expired units never count toward the reserve: the floor keeps them beside it', () => {
    // 14 on hand, 5 expired, reserve 6: a routine order may take 9 - 6 = 3.
    const a = allocate(line(10), stock({ lots, emergency_reserve: 6 }), 'routine');
    expect(a).toMatchObject({ kind: 'ship-on-hand', ship: 3, backorder: 7, floor: 11 });
    expect(allocate(line(1), stock({ lots: [lots[1]!], emergency_reserve: 0 }), 'emergency')).toMatchObject({
      kind: 'wait',
      floor: 5,
    });
  });
  it('is no drain work when only expired units are on hand', () => {
    const expiredOnly = stock({ lots: [lots[1]!], backordered: 2, backordered_emergency: 2 });
    expect(hasDrainWork(expiredOnly)).toBe(true);
    expect(hasDrainWork(asOf(expiredOnly, NOW))).toBe(false);
  });
  it('gives the lots that expire first to the orders served first, and a batch takes each lot once', () => {
    const planned = planOn(
      new Map([[1, { on_hand: 14, emergency_reserve: 0, lots }]]),
      new Map([[1, [entry(1, 'first', 1, 3), entry(1, 'second', 2, 4)]]]),
    );
    expect(planned.map((f) => f.lines[0]!.lots)).toEqual([
      [
        { lot: 'SOON', quantity: 2 },
        { lot: 'LATE', quantity: 1 },
      ],
      [
        { lot: 'LATE', quantity: 3 },
        { lot: null, quantity: 1 },
      ],
    ]);
    const batch = effect(planned, new Map([[1, stock({ lots })]])).get(1)!;
    expect(batch.takes).toEqual([
      { lot: 'SOON', quantity: 2, expiresAt: at(24), empties: true },
      { lot: 'LATE', quantity: 4, expiresAt: at(48), empties: true },
      { lot: null, quantity: 1, expiresAt: null, empties: false },
    ]);
    // The guard needs the expired units on hand too: they stay.
    expect(batch.need).toBe(7 + 5);
  });
});
