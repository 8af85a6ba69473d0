/**
 * The capacity model's arithmetic (bench/capacity-model.ts, bench/stripe-simulation.ts): item
 * sizes by DynamoDB's rules, write units, index writes, the ceilings, and the stripe simulation,
 * which at one stripe must give back the single-item ceiling it is meant to lift.
 */
import { describe, expect, it } from 'vitest';
import {
  hotProducts,
  indexWrites,
  itemBytes,
  numberBytes,
  partitionRate,
  productShare,
  readUnits,
  tableWide,
  writeUnits,
} from '../../bench/capacity-model.js';
import { seededRandom } from '../../bench/lib.js';
import { simulateLowStock, simulateThroughput, sustainedRate } from '../../bench/stripe-simulation.js';

describe('item sizes (DynamoDB item size rules)', () => {
  it('counts a number by its significant digits, two per byte, plus one', () => {
    expect(numberBytes('7')).toBe(2);
    expect(numberBytes('1000')).toBe(2);
    expect(numberBytes('123456')).toBe(4);
    expect(numberBytes('-0.005')).toBe(2);
    expect(numberBytes(String(Number.MAX_SAFE_INTEGER))).toBe(9);
  });

  it('adds attribute names and UTF-8 bytes of values, 3 bytes per list or map and 1 per element', () => {
    expect(itemBytes({ pk: { S: 'PRODUCT#3' } })).toBe(2 + 9);
    expect(itemBytes({ name: { S: '\u{1FA78}' } })).toBe(4 + 4);
    expect(itemBytes({ ok: { BOOL: true }, n: { N: '42' } })).toBe(2 + 1 + 1 + 2);
    expect(itemBytes({ m: { M: { a: { N: '1' } } } })).toBe(1 + 3 + (1 + 1 + 2));
    expect(itemBytes({ l: { L: [{ S: 'ab' }, { S: 'c' }] } })).toBe(1 + 3 + (1 + 2) + (1 + 1));
  });
});

describe('capacity units', () => {
  it('bills a write unit per started KB, doubled in a transaction', () => {
    expect(writeUnits(1, false)).toBe(1);
    expect(writeUnits(1024, false)).toBe(1);
    expect(writeUnits(1024, true)).toBe(2);
    expect(writeUnits(1025, true)).toBe(4);
  });

  it('bills a read unit per started 4 KB, half when eventually consistent', () => {
    expect(readUnits(100, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(4097, false)).toBe(1);
  });

  it('charges a keys-only index only when its keys appear, move or go', () => {
    const index = { name: 'attention', partitionKey: 'ap', sortKey: 'as' };
    const item = { pk: { S: 'P#1' }, sk: { S: 'P' }, on_hand: { N: '1' } };
    const marked = { ...item, ap: { S: 'ATTN#1' }, as: { S: 't1' } };
    expect(indexWrites(item, { ...item, on_hand: { N: '2' } }, index)).toEqual([]);
    expect(indexWrites(marked, { ...marked, on_hand: { N: '2' } }, index)).toEqual([]);
    expect(indexWrites(item, marked, index)).toHaveLength(1);
    expect(indexWrites(marked, item, index)).toHaveLength(1);
    expect(indexWrites(marked, { ...marked, as: { S: 't2' } }, index)).toHaveLength(2);
    expect(indexWrites(undefined, marked, index)).toEqual([
      { index: 'attention', partition: 'ATTN#1', bytes: itemBytes(marked) - itemBytes({ on_hand: item.on_hand }) },
    ]);
  });
});

describe('ceilings', () => {
  it('one item under 1 KB updated in transactions takes 500 updates/s; over 1 KB, 250', () => {
    expect(partitionRate(writeUnits(220, true))).toBe(500);
    expect(partitionRate(writeUnits(1043, true))).toBe(250);
    expect(partitionRate(100, 49)).toBe(490);
  });

  it('popularity shares add up to the whole, and an even catalog shares alike', () => {
    const shares = Array.from({ length: 100 }, (_, i) => productShare(100, 1, i + 1));
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    expect(productShare(13, 0)).toBeCloseTo(1 / 13, 12);
  });

  it('the table is bound by its hottest product or by its quota, whichever comes first', () => {
    const input = { wcuPerOrder: 8, linesPerOrder: 2, productCeiling: 500, skew: 0 };
    expect(tableWide({ ...input, products: 13 })).toMatchObject({ ordersPerSecond: 3250, bound: 'hottest product' });
    expect(tableWide({ ...input, products: 1000 })).toMatchObject({ ordersPerSecond: 5000, bound: 'table quota' });
    expect(tableWide({ ...input, products: 1000, tableWcuPerSecond: 80_000 }).ordersPerSecond).toBe(10_000);
    expect(hotProducts(10_000, { ...input, products: 13 })).toEqual({ productsOverCeiling: 13, stripesForHottest: 4 });
    expect(hotProducts(10_000, { ...input, products: 100 })).toEqual({ productsOverCeiling: 0, stripesForHottest: 1 });
  });
});

describe('stripe simulation', () => {
  const base = { wcuPerOrder: 2, partitionWcuPerSecond: 1000, burstSeconds: 0.1, attempts: 3, seconds: 20 };
  const single = partitionRate(writeUnits(220, true));

  it('at one stripe gives back the single-item ceiling, whatever the load offered', () => {
    const saturated = simulateThroughput({
      ...base,
      stripes: 1,
      offeredPerSecond: 4 * single,
      random: seededRandom(1),
    });
    expect(saturated.servedPerSecond).toBeGreaterThan(0.99 * single);
    expect(saturated.servedPerSecond).toBeLessThanOrEqual(single * 1.001);
    const sustained = sustainedRate({ ...base, stripes: 1 }, () => seededRandom(1), 0.001);
    expect(sustained.servedPerSecond).toBeLessThanOrEqual(single);
    expect(sustained.servedPerSecond).toBeGreaterThan(0.9 * single);
  });

  it('K stripes serve K times one stripe, within the throttling allowance', () => {
    const sustained = sustainedRate({ ...base, stripes: 8 }, () => seededRandom(1), 0.001);
    expect(sustained.servedPerSecond).toBeGreaterThan(0.97 * 8 * single);
    expect(sustained.servedPerSecond).toBeLessThanOrEqual(8 * single);
  });

  it('is the same run for the same seed', () => {
    const run = () => simulateThroughput({ ...base, stripes: 4, offeredPerSecond: 1900, random: seededRandom(7) });
    expect(run()).toEqual(run());
  });

  it('never misses with one stripe; with several, misses grow as stock runs low unless hints are exact', () => {
    const lowStock = (stripes: number, pick: 'random' | 'hinted', hintLag = 0) =>
      simulateLowStock({
        stripes,
        unitsPerStripe: 50,
        pick,
        hintLag,
        wcuPerStripeUpdate: 2,
        levels: [20, 5, 1, 0],
        trials: 50,
        random: seededRandom(1),
      });
    for (const level of lowStock(1, 'random')) {
      expect(level.firstTryMisses).toBe(0);
      if (level.orders > 0) expect(level.wcuPerOrder).toBe(2);
    }
    const random = lowStock(8, 'random');
    expect(random[0]!.missShare).toBeLessThan(0.01);
    expect(random[2]!.missShare).toBeGreaterThan(random[1]!.missShare);
    expect(random[2]!.wcuPerOrder).toBeGreaterThan(2);
    const exact = lowStock(8, 'hinted', 0);
    expect(exact[1]!.firstTryMisses).toBe(0);
  });
});
