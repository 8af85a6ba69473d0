/** The original exercise end to end, with its known answer (../shared/data/classic-exercise.json). */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestTable } from '../support/dynamodb.js';
import { get, post } from '../support/api.js';
import { readState, violations } from '../support/invariants.js';

const classic = JSON.parse(
  readFileSync(new URL('../../../shared/data/classic-exercise.json', import.meta.url), 'utf8'),
);

describe('classic exercise', () => {
  beforeAll(async () => {
    await createTestTable('classic');
  });

  it('ships order 123 as {0:2, 10:1} (1700 g) and {10:3} (900 g) after the restock', async () => {
    const catalog = await post('/inventory/init_catalog', classic.product_info);
    expect(catalog.status).toBe(201);
    expect(catalog.body.products).toHaveLength(13);
    expect(catalog.body.products[0]).toEqual({
      product_id: 0,
      product_name: 'RBC A+ Adult',
      mass_g: 700,
      emergency_reserve: 0,
      quantity: 0,
      backordered: 0,
      written_off: 0,
      lots: [],
    });

    const order = await post('/inventory/process_order', classic.order);
    expect(order.status).toBe(201);
    expect(order.body).toMatchObject({
      order_id: 123,
      priority: 'routine',
      status: 'backordered',
      requested: [
        { product_id: 0, quantity: 2 },
        { product_id: 10, quantity: 4 },
      ],
      shipped: [],
      backordered: [
        { product_id: 0, quantity: 2 },
        { product_id: 10, quantity: 4 },
      ],
      shipments: [],
    });

    const restock = await post('/inventory/process_restock', classic.restock);
    expect(restock.status).toBe(200);
    expect(restock.body.draining).toBe(false);
    // The classic `ship_package` shape; every unit came from the unnamed lot (no lot was restocked).
    const packages = restock.body.shipments.map((s: any) => ({
      shipped: s.shipped.map(({ lots, ...line }: any) => {
        expect(lots).toEqual([{ lot: null, quantity: line.quantity }]);
        return line;
      }),
      mass_g: s.mass_g,
      order_id: s.order_id,
    }));
    expect(packages).toHaveLength(2);
    expect(packages).toContainEqual({
      order_id: 123,
      mass_g: 1700,
      shipped: [
        { product_id: 0, quantity: 2 },
        { product_id: 10, quantity: 1 },
      ],
    });
    expect(packages).toContainEqual({ order_id: 123, mass_g: 900, shipped: [{ product_id: 10, quantity: 3 }] });

    const view = await get('/inventory/orders/123');
    expect(view.status).toBe(200);
    expect(view.body.status).toBe('fulfilled');
    expect(view.body.shipments.map((s: any) => s.shipment_id).sort()).toEqual(
      restock.body.shipments.map((s: any) => s.shipment_id).sort(),
    );

    const products = await get('/inventory/products');
    const byId = new Map(products.body.products.map((p: any) => [p.product_id, p]));
    expect(byId.get(0)).toMatchObject({ quantity: 28, backordered: 0 });
    expect(byId.get(10)).toMatchObject({ quantity: 1, backordered: 0 });
    expect(violations(await readState())).toEqual([]);
  });
});
