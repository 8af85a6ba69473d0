import { describe, expect, it } from 'vitest';
import {
  expandShipments,
  nextCreationPart,
  type OrderRecord,
  orderStatus,
  type ShipmentEvent,
  toOrderView,
} from '../../functions/domain/order-record.js';

const base: OrderRecord = {
  orderId: 123,
  orderKey: '123',
  createdAt: '2026-01-01T00:00:00.000Z',
  priority: 'routine',
  queueKey: '2#000001767225600000#123',
  requested: new Map([
    [0, 2],
    [10, 4],
  ]),
  unpacked: new Map(),
};

const event: ShipmentEvent = {
  eventId: 'e1',
  requestId: 'order',
  shippedAt: '2026-01-01T00:00:00.000Z',
  patterns: [
    { lines: [{ product_id: 0, quantity: 2 }], mass_g: 1400, count: 2 },
    { lines: [{ product_id: 10, quantity: 1 }], mass_g: 300, count: 1 },
  ],
};

describe('order views', () => {
  it('derives the status from what shipped and what waits', () => {
    expect(orderStatus(new Map(), base.requested)).toBe('backordered');
    expect(orderStatus(new Map([[0, 1]]), new Map([[0, 1]]))).toBe('partially_shipped');
    expect(
      orderStatus(
        new Map([
          [0, 2],
          [10, 4],
        ]),
        new Map([
          [0, 0],
          [10, 0],
        ]),
      ),
    ).toBe('fulfilled');
  });

  it('numbers grouped packages with stable ids and keeps the JSON type of the order id', () => {
    const shipments = expandShipments(123, event);
    expect(shipments.map((s) => s.shipment_id)).toEqual(['e1-1', 'e1-2', 'e1-3']);
    expect(shipments.every((s) => s.order_id === 123)).toBe(true);
  });

  it('counts shipped units from the packages, and the rest of each line as waiting', () => {
    const view = toOrderView({ ...base, requested: new Map([...base.requested, [0, 6]]) }, [event]);
    expect(view.shipped).toEqual([
      { product_id: 0, quantity: 4 },
      { product_id: 10, quantity: 1 },
    ]);
    expect(view.backordered).toEqual([
      { product_id: 0, quantity: 2 },
      { product_id: 10, quantity: 3 },
    ]);
    expect(view.status).toBe('partially_shipped');
    expect(view.shipments).toHaveLength(3);
  });

  it('counts units allocated and not packed yet as shipped', () => {
    const view = toOrderView({ ...base, unpacked: new Map([['order', new Map([[10, 4]])]]) }, []);
    expect(view.shipped).toEqual([{ product_id: 10, quantity: 4 }]);
    expect(view.backordered).toEqual([{ product_id: 0, quantity: 2 }]);
    expect(view.shipments).toEqual([]);
  });

  it('lists a large creation part by part, in product order', () => {
    const requested = new Map(Array.from({ length: 7 }, (_, i) => [70 - i * 10, 1] as [number, number]));
    const order = { requested, creation: { partLines: 3, partsDone: 0, partsTotal: 3 } };
    expect(nextCreationPart(order)?.map((l) => l.product_id)).toEqual([10, 20, 30]);
    expect(nextCreationPart({ ...order, creation: { ...order.creation, partsDone: 2 } })).toEqual([
      { product_id: 70, quantity: 1 },
    ]);
    expect(nextCreationPart({ ...order, creation: { ...order.creation, partsDone: 3 } })).toBeUndefined();
    expect(nextCreationPart({ requested })).toBeUndefined();
  });
});
