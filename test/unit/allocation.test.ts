import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateOnHand, allocateOnHints, planFills, type QueueEntry } from '../../functions/domain/allocation.js';

describe('allocateOnHand', () => {
  it('ships everything when enough is on hand and nobody waits', () => {
    expect(allocateOnHand({ product_id: 1, quantity: 3 }, { on_hand: 5, backordered: 0 })).toEqual({
      kind: 'ship-all',
      product_id: 1,
      ship: 3,
      backorder: 0,
    });
  });
  it('ships what is on hand and backorders the rest (rule 3)', () => {
    expect(allocateOnHand({ product_id: 1, quantity: 8 }, { on_hand: 5, backordered: 0 })).toEqual({
      kind: 'ship-on-hand',
      product_id: 1,
      ship: 5,
      backorder: 3,
    });
  });
  it('takes nothing while an older order waits, even with stock on hand (rule 4)', () => {
    expect(allocateOnHand({ product_id: 1, quantity: 1 }, { on_hand: 5, backordered: 2 })).toEqual({
      kind: 'wait',
      product_id: 1,
      ship: 0,
      backorder: 1,
    });
  });
  it('waits for everything when nothing is on hand', () => {
    expect(allocateOnHand({ product_id: 1, quantity: 4 }, { on_hand: 0, backordered: 0 })).toMatchObject({
      kind: 'wait',
      backorder: 4,
    });
  });
  it('always splits the request into shipped + backordered, never more than on hand', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.nat(20_000),
        fc.nat(20_000),
        (quantity, on_hand, backordered) => {
          const a = allocateOnHand({ product_id: 7, quantity }, { on_hand, backordered });
          return a.ship + a.backorder === quantity && a.ship <= on_hand && (backordered === 0 || a.ship === 0);
        },
      ),
    );
  });
});

const entry = (product_id: number, order: string, time: number, remaining: number): QueueEntry => ({
  product_id,
  orderKey: order,
  queueKey: `${String(time).padStart(15, '0')}#${order}`,
  remaining,
});

describe('planFills', () => {
  it('gives stock to the oldest order first, per product', () => {
    const plan = planFills(new Map([[1, 4]]), new Map([[1, [entry(1, 'b', 2, 3), entry(1, 'a', 1, 3)]]]));
    expect(plan.map((f) => [f.orderKey, f.lines[0]!.quantity])).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
  });
  it("groups one order's products into one fill, oldest order first", () => {
    const plan = planFills(
      new Map([
        [1, 5],
        [2, 5],
      ]),
      new Map([
        [1, [entry(1, 'a', 1, 2), entry(1, 'b', 2, 2)]],
        [2, [entry(2, 'b', 2, 1)]],
      ]),
    );
    expect(plan.map((f) => f.orderKey)).toEqual(['a', 'b']);
    expect(plan[1]!.lines).toEqual([
      { product_id: 1, quantity: 2, remainingBefore: 2 },
      { product_id: 2, quantity: 1, remainingBefore: 1 },
    ]);
  });
  it('gives an order this request already served nothing more, and nobody behind it either (rules 2 and 4)', () => {
    const queues = new Map([
      [1, [entry(1, 'a', 1, 2), entry(1, 'b', 2, 2)]],
      [2, [entry(2, 'c', 3, 2)]],
    ]);
    const onHand = new Map([
      [1, 4],
      [2, 4],
    ]);
    expect(planFills(onHand, queues).map((f) => f.orderKey)).toEqual(['a', 'b', 'c']);
    // a got its units from this request: product 1's queue stops there; product 2's goes on.
    expect(planFills(onHand, queues, new Set(['a'])).map((f) => f.orderKey)).toEqual(['c']);
    expect(planFills(onHand, queues, new Set(['b'])).map((f) => f.orderKey)).toEqual(['a', 'c']);
  });
  it('never plans more than on hand nor more than an order waits for, and skips no older order', () => {
    fc.assert(
      fc.property(
        fc.nat(50),
        fc.array(fc.record({ t: fc.nat(1000), remaining: fc.integer({ min: 1, max: 20 }) }), { maxLength: 15 }),
        (onHand, raw) => {
          const entries = raw.map((r, i) => entry(1, `o${i}`, r.t, r.remaining));
          const plan = planFills(new Map([[1, onHand]]), new Map([[1, entries]]));
          const given = plan.reduce((n, f) => n + f.lines[0]!.quantity, 0);
          const byKey = [...entries].sort((x, y) => (x.queueKey < y.queueKey ? -1 : 1));
          const served = plan.map((f) => f.queueKey);
          // FIFO: the orders served are a prefix of the queue, all but the last filled completely.
          const prefixOk = served.every((k, i) => k === byKey[i]!.queueKey);
          const fullOk = plan.slice(0, -1).every((f) => f.lines[0]!.quantity === f.lines[0]!.remainingBefore);
          return (
            given ===
              Math.min(
                onHand,
                entries.reduce((n, e) => n + e.remaining, 0),
              ) &&
            prefixOk &&
            fullOk
          );
        },
      ),
    );
  });
});

describe('allocateOnHints', () => {
  it('takes a hint run below zero as nothing on hand (never a negative shipment)', () => {
    const [a] = allocateOnHints([{ product_id: 1, quantity: 3 }], new Map([[1, { on_hand: -2, backordered: 0 }]]));
    expect(a).toMatchObject({ kind: 'wait', ship: 0, backorder: 3 });
  });
  it('plans on the stock last seen, and assumes a product never seen is in stock', () => {
    const lines = [
      { product_id: 1, quantity: 3 },
      { product_id: 2, quantity: 3 },
      { product_id: 3, quantity: 3 },
    ];
    const hints = new Map([
      [1, { on_hand: 0, backordered: 0 }],
      [2, { on_hand: 5, backordered: 2 }],
    ]);
    expect(allocateOnHints(lines, hints).map((a) => [a.kind, a.ship, a.backorder])).toEqual([
      ['wait', 0, 3],
      ['wait', 0, 3],
      ['ship-all', 3, 0],
    ]);
  });
});
