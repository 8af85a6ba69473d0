import { describe, expect, it } from 'vitest';
import { expandShipments, orderStatus, toOrderView, type OrderRecord } from '../../functions/domain/order-record.js';

const base: OrderRecord = {
  orderId: 123,
  orderKey: '123',
  createdAt: '2026-01-01T00:00:00.000Z',
  requested: new Map([
    [0, 2],
    [10, 4],
  ]),
  shipped: new Map(),
  backordered: new Map([
    [0, 2],
    [10, 4],
  ]),
  unprocessed: new Map(),
  unpacked: new Map(),
};

describe('order views', () => {
  it('derives the status from what shipped and what waits', () => {
    expect(orderStatus(base)).toBe('backordered');
    expect(
      orderStatus({
        ...base,
        shipped: new Map([[0, 1]]),
        backordered: new Map([
          [0, 1],
          [10, 4],
        ]),
      }),
    ).toBe('partially_shipped');
    expect(
      orderStatus({
        ...base,
        shipped: new Map([
          [0, 2],
          [10, 4],
        ]),
        backordered: new Map([
          [0, 0],
          [10, 0],
        ]),
      }),
    ).toBe('fulfilled');
    // Lines a large order has not allocated yet still wait.
    expect(
      orderStatus({ ...base, shipped: new Map([[0, 2]]), backordered: new Map(), unprocessed: new Map([[10, 4]]) }),
    ).toBe('partially_shipped');
  });

  it('numbers grouped packages with stable ids and keeps the JSON type of the order id', () => {
    const event = {
      eventId: 'e1',
      requestId: 'order',
      shippedAt: '2026-01-01T00:00:00.000Z',
      patterns: [
        { lines: [{ product_id: 0, quantity: 2 }], mass_g: 1400, count: 2 },
        { lines: [{ product_id: 10, quantity: 1 }], mass_g: 300, count: 1 },
      ],
    };
    const shipments = expandShipments(123, event);
    expect(shipments.map((s) => s.shipment_id)).toEqual(['e1-1', 'e1-2', 'e1-3']);
    expect(shipments.every((s) => s.order_id === 123)).toBe(true);
    const view = toOrderView(
      {
        ...base,
        shipped: new Map([
          [0, 4],
          [10, 1],
        ]),
        backordered: new Map([
          [0, 0],
          [10, 3],
        ]),
      },
      [event],
    );
    expect(view.shipped).toEqual([
      { product_id: 0, quantity: 4 },
      { product_id: 10, quantity: 1 },
    ]);
    expect(view.backordered).toEqual([{ product_id: 10, quantity: 3 }]);
    expect(view.shipments).toHaveLength(3);
  });
});
