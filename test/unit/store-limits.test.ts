/**
 * DynamoDB's limits met by construction (docs/design.md): every expression the store writes is
 * the same string whatever the ids, keys and quantities (they travel as values), and a shipment
 * item stays far under 400 KB at the largest event an order allows.
 */
import fc from 'fast-check';
import { PRIORITIES } from '../../functions/domain/priority.js';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LineAllocation } from '../../functions/domain/allocation.js';
import { packUnits } from '../../functions/domain/packing.js';
import { putCancelPart } from '../../functions/store/items/cancel-item.js';
import {
  advanceCancellation,
  advanceCreation,
  creationAllocated,
  markOrderForSweeper,
  putNewOrder,
} from '../../functions/store/items/order-item.js';
import { deletePart, putPart } from '../../functions/store/items/part-item.js';
import { movementsFromItem, putMovements } from '../../functions/store/items/movement-item.js';
import {
  addRestockedUnits,
  addUnitsNobodyWaits,
  allocateToOrder,
  cancelWaiting,
  createProduct,
  fillBackorder,
  upsertProduct,
  writeOffUnits,
} from '../../functions/store/items/product-item.js';
import { putWrite, writeFromItem } from '../../functions/store/items/write-item.js';
import {
  markStockPartApplied,
  putNewRestock,
  putPartsRef,
  putShipmentRef,
  putShipmentRefs,
  refsFromItem,
} from '../../functions/store/items/restock-item.js';
import { decodePatterns, encodePatterns, putShipment } from '../../functions/store/items/shipment-item.js';
import { fillWait, putWait } from '../../functions/store/items/wait-item.js';
import type { TransactionItem } from '../../functions/store/transactions.js';
import { restockLot } from '../../functions/store/items/lot-item.js';
import { MAX_LOTS_ON_HAND, type RestockedLot, type StockTake } from '../../functions/domain/lots.js';

beforeAll(() => {
  process.env.TABLE_NAME = 'limits';
});

/**
 * What DynamoDB counts against the 4 KB limit: the expression strings, with their placeholders.
 * What the placeholders stand for travels beside them (2 MB for all of them).
 */
function expressionsOf(item: TransactionItem): string {
  const action = (item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck) as Record<string, unknown>;
  return JSON.stringify([
    action.UpdateExpression,
    action.ConditionExpression,
    Object.keys((action.ExpressionAttributeValues as object) ?? {}),
    Object.keys((action.ExpressionAttributeNames as object) ?? {}),
  ]);
}

const qty = fc.integer({ min: 1, max: 1_000_000 });
const lotName = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
const expiry = fc.integer({ min: 0, max: 4_000_000_000_000 }).map((ms) => new Date(ms).toISOString());
/** Takes of one shape (three lots: an expiring one emptied, a never-expiring one, the unnamed lot) whatever their names and sizes. */
const takes = fc.tuple(lotName, lotName, expiry, qty, qty, qty).map(([a, b, e, q1, q2, q3]): StockTake[] => [
  { lot: a, quantity: q1, expiresAt: e, empties: true },
  { lot: `${b}x`, quantity: q2, expiresAt: null, empties: false },
  { lot: null, quantity: q3, expiresAt: null, empties: false },
]);
const restocked = fc.tuple(lotName, expiry, qty, qty).map(([a, e, q1, q2]): RestockedLot[] => [
  { lot: null, quantity: q1, expiresAt: null },
  { lot: a, quantity: q2, expiresAt: e },
]);

const id = fc.oneof(fc.constantFrom(0, 7, Number.MAX_SAFE_INTEGER), fc.nat({ max: Number.MAX_SAFE_INTEGER }));
const key = fc.oneof(fc.constantFrom('1', 'a'.repeat(128)), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,255}$/));

/** Each builder, from random inputs: the expressions must not depend on them. */
const builders: Array<[string, fc.Arbitrary<TransactionItem>]> = [
  ['putNewOrder', fc.tuple(key, id, qty).map(([k, p, q]) => putNewOrder(order(k, p, q)))],
  ['advanceCreation', fc.tuple(key, fc.nat(3)).map(([k, n]) => advanceCreation(k, n))],
  ['advanceCancellation (first)', key.map((k) => advanceCancellation(k, 0, { at: 't', reason: 'x'.repeat(500) }))],
  [
    'advanceCancellation (first of several)',
    key.map((k) => advanceCancellation(k, 0, { at: 't', reason: null, dueAt: new Date(0).toISOString() })),
  ],
  ['advanceCancellation (later)', fc.tuple(key, fc.nat(3)).map(([k, n]) => advanceCancellation(k, n + 1))],
  ['putCancelPart', fc.tuple(key, id, qty).map(([k, p, q]) => putCancelPart(k, 0, new Map([[p, q]])))],
  ...PRIORITIES.map((priority): [string, fc.Arbitrary<TransactionItem>] => [
    `cancelWaiting (${priority})`,
    fc.tuple(id, qty).map(([p, q]) => cancelWaiting(p, q, priority)),
  ]),
  ['markOrderForSweeper', key.map((k) => markOrderForSweeper(k, new Date(0).toISOString()))],
  ['creationAllocated', key.map((k) => creationAllocated(k))],
  ['putPart', fc.tuple(key, id, qty).map(([k, p, q]) => putPart(k, part(k, p, q)))],
  ['deletePart', fc.tuple(key, key).map(([k, p]) => deletePart(k, p))],
  ['upsertProduct', id.map((p) => upsertProduct({ product_id: p, product_name: 'x'.repeat(200), mass_g: 1800 }))],
  ['createProduct', id.map((p) => createProduct({ product_id: p, product_name: 'n', mass_g: 1 }))],
  [
    'addRestockedUnits',
    fc.tuple(id, restocked, key).map(([p, r, w]) => addRestockedUnits(p, r, new Date(0).toISOString(), mark(w))),
  ],
  ['addUnitsNobodyWaits', fc.tuple(id, restocked, key).map(([p, r, w]) => addUnitsNobodyWaits(p, r, mark(w)))],
  ['writeOffUnits', fc.tuple(id, takes, key).map(([p, t, w]) => writeOffUnits(p, t, mark(w)))],
  ['restockLot (new)', fc.tuple(id, lotName, qty, expiry).map(([p, l, q, e]) => restockLot(p, l, q, undefined, e))],
  [
    'restockLot (known)',
    fc
      .tuple(id, lotName, qty, expiry)
      .map(([p, l, q, e]) => restockLot(p, l, q, { expiresAt: e, recalled: false }, e, new Date(0).toISOString())),
  ],
  [
    'fillBackorder',
    fc.tuple(id, qty, fc.nat(), key, takes).map(([p, q, r, k, t]) =>
      fillBackorder(
        {
          product_id: p,
          quantity: q,
          takes: t,
          lotsRev: r + 1,
          emergency: q,
          urgent: q,
          need: q + 1_000_000,
          pinEmergency: q,
          pinUrgent: q,
        },
        r,
        k,
        mark(k),
      ),
    ),
  ],
  ['putWait', fc.tuple(id, key, key, qty).map(([p, qk, k, q]) => putWait(p, qk, k, q))],
  ['fillWait (partial)', fc.tuple(id, key, qty).map(([p, qk, q]) => fillWait(p, qk, q, q + 1))],
  ['fillWait (last)', fc.tuple(id, key, qty).map(([p, qk, q]) => fillWait(p, qk, q, q))],
  ['putShipmentRef', fc.tuple(key, key).map(([k, o]) => putShipmentRef(k, { orderKey: o, eventId: 'e' }))],
  ['putPartsRef', fc.tuple(key, key).map(([k, o]) => putPartsRef(k, o))],
  ['markStockPartApplied', fc.tuple(key, fc.nat(10)).map(([k, n]) => markStockPartApplied(k, n))],
  ['putNewRestock', fc.tuple(key, id, qty).map(([k, p, q]) => putNewRestock(restock(k, p, q), 11))],
  ['putShipment', fc.tuple(key, id, qty).map(([k, p, q]) => putShipment(k, p, shipment(p, q)))],
];

function mark(writeId: string) {
  return { writeId, movements: 49 };
}
function order(orderKey: string, productId: number, quantity: number) {
  const requested = new Map(Array.from({ length: 100 }, (_, i) => [productId - i, quantity] as [number, number]));
  return { orderId: orderKey, orderKey, createdAt: 't', queueKey: `2#1#${orderKey}`, requested };
}
function part(orderKey: string, productId: number, quantity: number) {
  return { partId: orderKey, requestId: orderKey, units: new Map([[productId, quantity]]), masses: new Map() };
}
function restock(k: string, productId: number, quantity: number) {
  const lines = new Map(Array.from({ length: 1000 }, (_, i) => [productId - i, quantity] as [number, number]));
  const lots = [...lines].map(([product_id, q]) => ({ product_id, lot: 'l'.repeat(64), quantity: q, expiresAt: null }));
  return { key: k, lines, lots, status: 'applying' as const, leaseUntil: 1, draining: false, createdAt: 't' };
}
function shipment(productId: number, quantity: number) {
  return {
    eventId: 'e',
    requestId: 'r',
    shippedAt: 't',
    patterns: [{ mass_g: 1, count: quantity, lines: [{ product_id: productId, quantity: 1 }] }],
  };
}

describe('store expressions are constant strings', () => {
  it.each(builders)('%s', (_name, arbitrary) => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbitrary, (item) => {
        const text = expressionsOf(item);
        seen.add(text);
        expect(text.length).toBeLessThan(1024);
      }),
      { numRuns: 50 },
    );
    expect([...seen]).toHaveLength(1);
  });

  it('the allocation guards differ only by kind and priority, never by product, quantity, floor or revision', () => {
    const kinds = new Set<string>();
    for (const priority of PRIORITIES) {
      for (const product_id of [0, Number.MAX_SAFE_INTEGER]) {
        for (const [ship, backorder, floor] of [
          [1, 0, 0],
          [10_000, 0, 1_000_000],
          [3, 4, 5],
          [0, 10_000, 0],
        ] as const) {
          const kind = backorder === 0 ? 'ship-all' : ship === 0 ? 'wait' : 'ship-on-hand';
          const takes = [{ lot: `lot${product_id}`, quantity: ship, expiresAt: 'e', empties: false }];
          const allocation = { kind, product_id, ship, backorder, priority, floor, takes } as LineAllocation;
          kinds.add(`${kind} ${expressionsOf(allocateToOrder(allocation, product_id, mark(String(product_id))))}`);
        }
      }
    }
    expect(kinds.size).toBe(3 * PRIORITIES.length);
  });
});

describe('expressions stay under 4 KB with the most lots a product holds', () => {
  const most = (expiring: boolean): StockTake[] =>
    Array.from({ length: MAX_LOTS_ON_HAND + 1 }, (_, i) => ({
      lot: i === MAX_LOTS_ON_HAND ? null : `lot-${i}`,
      quantity: 1_000_000,
      expiresAt: expiring && i < MAX_LOTS_ON_HAND ? new Date(0).toISOString() : null,
      empties: i % 2 === 0 && i < MAX_LOTS_ON_HAND,
    }));
  const longest = (item: TransactionItem) => {
    const action = (item.Update ?? item.Put) as unknown as Record<string, string | undefined>;
    return Math.max((action.UpdateExpression ?? '').length, (action.ConditionExpression ?? '').length);
  };
  it('a fill batch, an order line and a write-off taking from every lot; a restock of every lot', () => {
    const batch = {
      product_id: 1,
      quantity: 9,
      takes: most(true),
      lotsRev: Number.MAX_SAFE_INTEGER,
      emergency: 1,
      urgent: 1,
      need: 9,
      pinEmergency: 1,
      pinUrgent: 1,
    };
    const allocation = {
      kind: 'ship-on-hand',
      product_id: 1,
      ship: 9,
      backorder: 9,
      priority: 'urgent',
      floor: 9,
      takes: most(true),
      lotsRev: Number.MAX_SAFE_INTEGER,
    } as LineAllocation;
    const sizes = [
      longest(fillBackorder(batch, 1, 'd'.repeat(140), mark('w'))),
      longest(allocateToOrder(allocation, 1, mark('w'))),
      longest(writeOffUnits(1, most(false), mark('w'), Number.MAX_SAFE_INTEGER)),
      longest(
        addRestockedUnits(
          1,
          most(true).map(({ lot, quantity, expiresAt }) => ({ lot, quantity, expiresAt })),
          new Date(0).toISOString(),
          mark('w'),
        ),
      ),
    ];
    for (const size of sizes) expect(size).toBeLessThan(4096);
  });
});

describe('shipment items stay under 400 KB', () => {
  it('the largest event an order allows: 10,000 units of 100 products of 16-digit ids', () => {
    // Distinct patterns as many as packing can make: 100 products of distinct masses, 100 units each.
    const units = Array.from({ length: 100 }, (_, i) => ({
      product_id: Number.MAX_SAFE_INTEGER - i,
      mass_g: 1 + ((i * 173) % 900),
      quantity: 100,
    }));
    const { patterns } = packUnits(units, { timeBudgetMs: 1 });
    const { text, productIds } = encodePatterns(patterns);
    expect(decodePatterns(text, productIds)).toEqual(patterns);
    expect(text.length + productIds.length * 17).toBeLessThan(210_000 + 2_000);
  });

  it('the bound of the encoding: 10,000 patterns of one unit each', () => {
    // Not a packing that happens, but the worst the format allows for 10,000 units.
    const patterns = Array.from({ length: 10_000 }, (_, i) => ({
      mass_g: 1800,
      count: 1,
      lines: [{ product_id: Number.MAX_SAFE_INTEGER - (i % 100), quantity: 1 }],
    }));
    const { text } = encodePatterns(patterns);
    expect(text.length).toBeLessThanOrEqual(210_000);
  });
});

describe('a batch of fills names its shipments in one item under 400 KB', () => {
  it('100 shipments of the longest order keys and restock key', () => {
    const longKey = 'k'.repeat(128);
    const refs = Array.from({ length: 100 }, (_, i) => ({
      orderKey: `${'o'.repeat(125)}${i}`,
      eventId: `e${i}`.padEnd(30, 'x'),
    }));
    const item = (putShipmentRefs(longKey, refs) as any).Put.Item;
    expect(JSON.stringify(item).length).toBeLessThan(400 * 1024);
    expect(refsFromItem(item)).toEqual(refs);
  });
});

describe('the movements of a write fit one item under 400 KB', () => {
  const longest = (i: number) => ({
    kind: 'shipment' as const,
    orderId: `${'o'.repeat(125)}${i}`,
    orderKey: `${'o'.repeat(125)}${i}`,
    requestId: 'r'.repeat(140),
    eventId: 'e'.repeat(17),
  });
  it('a WriteItem of 100 causes and 2,100 movements (more than any write holds) of the longest ids and lots', () => {
    const movements = Array.from({ length: 2_100 }, (_, i) => ({
      productId: Number.MAX_SAFE_INTEGER - (i % 100),
      lot: `${'l'.repeat(60)}${i}`.slice(-64),
      quantity: -10_000,
      cause: longest(i % 100),
    }));
    const item = (putWrite('w'.repeat(21), new Date(0).toISOString(), movements) as any).Put.Item;
    expect(JSON.stringify(item).length).toBeLessThan(350 * 1024);
    expect(writeFromItem(item).movements).toEqual(movements);
  });
  it('a MovementItem of 100 movements of one product', () => {
    const movements = Array.from({ length: 100 }, (_, i) => ({
      productId: Number.MAX_SAFE_INTEGER,
      seq: Number.MAX_SAFE_INTEGER - 100 + i,
      at: new Date(0).toISOString(),
      lot: 'l'.repeat(64),
      quantity: -10_000,
      onHandAfter: 1_000_000_000,
      cause: longest(i),
    }));
    const item = (putMovements(movements) as any).Put.Item;
    expect(JSON.stringify(item).length).toBeLessThan(100 * 1024);
    expect(movementsFromItem(item)).toEqual(movements);
  });
});
