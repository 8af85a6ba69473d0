/**
 * Rule 9 at commit (SPEC v2 "Lots and expiry"): a plan takes first expired first among the lots
 * it saw, so every write taking units that way is guarded on the lots' version it saw
 * (`lots_rev`), and every restock into a named lot moves that version. A lot that arrived since
 * the plan, which may expire before the ones taken, then refuses the plan and it is made again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { LineAllocation, ProductBatch } from '../../functions/domain/allocation.js';
import type { StockTake } from '../../functions/domain/lots.js';
import {
  addRestockedUnits,
  addUnitsNobodyWaits,
  allocateToOrder,
  fillBackorder,
  writeOffUnits,
} from '../../functions/store/items/product-item.js';
import type { TransactionItem } from '../../functions/store/transactions.js';

beforeAll(() => {
  process.env.TABLE_NAME = 'lot-guards';
});

const mark = { writeId: 'w', movements: 1 };
const takes: StockTake[] = [
  { lot: 'A', quantity: 2, expiresAt: '2099-01-01T00:00:00.000Z', empties: true },
  { lot: 'B', quantity: 1, expiresAt: '2099-02-01T00:00:00.000Z', empties: false },
];
const update = (item: TransactionItem) => item.Update!;
const guard = (item: TransactionItem) => ({
  condition: update(item).ConditionExpression ?? '',
  seen: update(item).ExpressionAttributeValues?.[':lotsrev'],
});

describe('takes planned first expired first are guarded on the lots they saw', () => {
  const allocation = (lotsRev: number): LineAllocation => ({
    kind: 'ship-all',
    product_id: 1,
    priority: 'routine',
    floor: 0,
    takes,
    lotsRev,
    ship: 3,
    backorder: 0,
  });
  const batch: ProductBatch = { product_id: 1, quantity: 3, takes, lotsRev: 7, emergency: 0, urgent: 0, need: 3 };

  it('an order line and a fill batch', () => {
    expect(guard(allocateToOrder(allocation(5), 1, mark))).toMatchObject({ seen: 5 });
    expect(guard(allocateToOrder(allocation(5), 1, mark)).condition).toContain('lots_rev = :lotsrev');
    expect(guard(fillBackorder(batch, 1, 'drain', mark))).toMatchObject({ seen: 7 });
    expect(guard(fillBackorder(batch, 1, 'drain', mark)).condition).toContain('lots_rev = :lotsrev');
  });

  it('a product never restocked into a named lot has no version yet', () => {
    expect(guard(allocateToOrder(allocation(0), 1, mark)).condition).toContain('attribute_not_exists(lots_rev)');
  });

  it('a write-off first expired first is guarded; one whose takes all name their lot is not', () => {
    expect(guard(writeOffUnits(1, takes, mark, 4))).toMatchObject({ seen: 4 });
    expect(guard(writeOffUnits(1, takes, mark)).condition).not.toContain('lots_rev');
  });

  it('an order that only waits takes nothing and needs no guard on lots', () => {
    const waits: LineAllocation = { ...allocation(5), kind: 'wait', takes: [], ship: 0, backorder: 3 };
    expect(guard(allocateToOrder(waits, 1, mark)).condition).not.toContain('lots_rev');
  });
});

describe('a restock into a named lot moves the lots version; into the unnamed lot, which comes last, it does not', () => {
  const named = [{ lot: 'C', quantity: 4, expiresAt: '2099-01-01T00:00:00.000Z' }];
  const unnamed = [{ lot: null, quantity: 4, expiresAt: null }];
  it.each([
    ['addRestockedUnits', (lots: typeof named | typeof unnamed) => addRestockedUnits(1, lots, '2099', mark)],
    ['addUnitsNobodyWaits', (lots: typeof named | typeof unnamed) => addUnitsNobodyWaits(1, lots, mark)],
  ])('%s', (_, restock) => {
    expect(update(restock(named)).UpdateExpression).toContain(
      'lots_rev = if_not_exists(lots_rev, :lotsrev0) + :lotsrev1',
    );
    expect(update(restock(unnamed)).UpdateExpression).not.toContain('lots_rev');
  });
});
