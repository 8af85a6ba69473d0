/**
 * Write-offs (SPEC v2): units leave stock without being shipped, all or nothing, never below
 * zero, idempotent by key; conservation counts them (rule 5), ProductView shows them, and the
 * ledger lists one `write_off` movement per line.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { get, post, productIds, productsById, uniqueOrderId } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';
import { readState, violations } from '../support/invariants.js';
import { sequenceLedger } from '../support/ledger.js';

beforeAll(async () => {
  await createTestTable('write-offs', { stream: true });
});

/** Products of 100 g with `stock` units each. */
async function stocked(...stock: number[]): Promise<[number, ...number[]]> {
  const ids = productIds(stock.length) as [number, ...number[]];
  expect(
    (
      await post(
        '/inventory/init_catalog',
        ids.map((product_id) => ({ product_id, product_name: `p${product_id}`, mass_g: 100 })),
      )
    ).status,
  ).toBe(201);
  const restock = ids.map((product_id, i) => ({ product_id, quantity: stock[i]! })).filter((l) => l.quantity > 0);
  if (restock.length > 0) expect((await post('/inventory/process_restock', restock)).status).toBe(200);
  return ids;
}

const writeOff = (lines: unknown, key?: string) =>
  post('/inventory/write_offs', lines, key ? { 'Idempotency-Key': key } : {});

describe('write-offs', () => {
  it('takes units out of stock with their reasons, shows them as written off, and lists their movements', async () => {
    const [a, b] = await stocked(10, 4);
    const res = await writeOff(
      [
        { product_id: a, quantity: 2, reason: 'damaged', note: 'dropped' },
        { product_id: b, quantity: 4, reason: 'temperature_excursion' },
        { product_id: a, quantity: 1, reason: 'damaged', lot: null },
        { product_id: a, quantity: 3, reason: 'count_correction' },
      ],
      'w-1',
    );
    expect(res.status).toBe(200);
    // Merged by product, lot and reason; sorted.
    expect(res.body).toEqual({
      written_off: [
        { product_id: a, lot: null, quantity: 3, reason: 'count_correction' },
        { product_id: a, lot: null, quantity: 3, reason: 'damaged' },
        { product_id: b, lot: null, quantity: 4, reason: 'temperature_excursion' },
      ],
    });
    const products = await productsById();
    expect(products.get(a)).toMatchObject({ quantity: 4, written_off: 6 });
    expect(products.get(b)).toMatchObject({ quantity: 0, written_off: 4 });
    await sequenceLedger();
    const movements = (await get(`/inventory/products/${a}/movements`)).body.movements;
    expect(movements.map((m: any) => [m.kind, m.quantity, m.on_hand_after, m.ref])).toEqual([
      ['restock', 10, 10, expect.objectContaining({})],
      ['write_off', -3, 7, { reason: 'count_correction', write_off_key: 'key:w-1' }],
      ['write_off', -3, 4, { reason: 'damaged', write_off_key: 'key:w-1' }],
    ]);
    expect(violations(await readState())).toEqual([]);
  });

  it('a replay answers the first answer and changes nothing; other lines with the key are 409', async () => {
    const [a] = await stocked(5);
    const lines = [{ product_id: a, quantity: 2, reason: 'expired' }];
    const first = await writeOff(lines, 'w-replay');
    const again = await writeOff(lines, 'w-replay');
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 3, written_off: 2 });
    const other = await writeOff([{ product_id: a, quantity: 1, reason: 'expired' }], 'w-replay');
    expect(other.status).toBe(409);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 3, written_off: 2 });
  });

  it('never below zero: a line taking more than is on hand refuses the whole write-off (422), nothing changes', async () => {
    const [a, b] = await stocked(5, 2);
    const res = await writeOff([
      { product_id: a, quantity: 1, reason: 'damaged' },
      { product_id: b, quantity: 3, reason: 'damaged' },
    ]);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ path: '[1]', message: `takes 3 units of product ${b}; 2 on hand` }]);
    const products = await productsById();
    expect(products.get(a)).toMatchObject({ quantity: 5, written_off: 0 });
    expect(products.get(b)).toMatchObject({ quantity: 2, written_off: 0 });
    expect(violations(await readState())).toEqual([]);
  });

  it('an unknown product is 404, checked before quantities; bad input is 400 or 422; a named lot has nothing on hand', async () => {
    const [a] = await stocked(1);
    const unknown = await writeOff([
      { product_id: a, quantity: 50, reason: 'damaged' },
      { product_id: a + 1_000_000, quantity: 1, reason: 'damaged' },
    ]);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors).toEqual([{ path: '[1]', message: `unknown product_id ${a + 1_000_000}` }]);
    expect((await writeOff({ product_id: a, quantity: 1, reason: 'damaged' })).status).toBe(400);
    expect((await writeOff([{ product_id: a, quantity: 1 }])).status).toBe(400);
    expect((await writeOff([{ product_id: a, quantity: 1, reason: 'lost' }])).status).toBe(422);
    expect((await writeOff([{ product_id: a, quantity: 0, reason: 'other' }])).status).toBe(422);
    expect((await writeOff([{ product_id: a, quantity: 1, reason: 'other', lot: 'bad lot!' }])).status).toBe(422);
    const lot = await writeOff([{ product_id: a, quantity: 1, reason: 'recalled', lot: 'LOT-7' }]);
    expect(lot.status).toBe(422);
    expect(lot.body.errors).toEqual([
      { path: '[0]', message: `takes 1 units of lot LOT-7 of product ${a}; 0 on hand` },
    ]);
    expect((await productsById()).get(a)).toMatchObject({ quantity: 1, written_off: 0 });
  });

  it('units written off are not shipped: a waiting order keeps waiting for what is left', async () => {
    const [a] = await stocked(0);
    const order = uniqueOrderId('after-wo');
    expect(
      (await post('/inventory/process_order', { order_id: order, requested: [{ product_id: a, quantity: 3 }] })).status,
    ).toBe(201);
    // The restock fills the order at once: nothing is left on hand to write off.
    await post('/inventory/process_restock', [{ product_id: a, quantity: 2 }]);
    const none = await writeOff([{ product_id: a, quantity: 1, reason: 'damaged' }]);
    expect(none.status).toBe(422);
    expect((await get(`/inventory/orders/${order}`)).body).toMatchObject({
      status: 'partially_shipped',
      shipped: [{ product_id: a, quantity: 2 }],
      backordered: [{ product_id: a, quantity: 1 }],
    });
    expect(violations(await readState())).toEqual([]);
  });
});
