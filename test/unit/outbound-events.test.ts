/**
 * What becomes an event (SPEC v2 "Outbound events"), pure: stream images of the items the store
 * writes, read back as changes (store/stream-changes.ts), and the events the domain makes of them
 * (domain/outbound-events.ts). The images are built by the store's own item builders, marshalled
 * as a stream record carries them.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MovementRecord } from '../../functions/domain/movement.js';
import type { OrderRecord, ShipmentEvent } from '../../functions/domain/order-record.js';
import {
  EVENT_SOURCE,
  orderSettledEvent,
  packageShippedEvents,
  stockWrittenOffEvents,
} from '../../functions/domain/outbound-events.js';
import { putCancelPart } from '../../functions/store/items/cancel-item.js';
import { putMovements } from '../../functions/store/items/movement-item.js';
import { putNewOrder } from '../../functions/store/items/order-item.js';
import { putShipment } from '../../functions/store/items/shipment-item.js';
import { changeOfStreamRecord, type StreamRecord } from '../../functions/store/stream-changes.js';
import { PUBLISHED_SORT_KEY_PREFIXES } from '../../functions/store/stream-filter.js';
import type { TransactionItem } from '../../functions/store/transactions.js';

beforeAll(() => {
  process.env.TABLE_NAME ??= 'unit-test';
});

const shipment: ShipmentEvent = {
  eventId: '0mabcdefg1a2b3c4d',
  requestId: 'order',
  shippedAt: '2026-12-01T10:00:00.000Z',
  patterns: [
    {
      lines: [
        { product_id: 0, quantity: 2 },
        { product_id: 10, quantity: 1 },
      ],
      mass_g: 1700,
      count: 2,
    },
    { lines: [{ product_id: 10, quantity: 3 }], mass_g: 900, count: 1 },
  ],
};

const order: OrderRecord = {
  orderId: 'trauma-7',
  orderKey: 'trauma-7',
  createdAt: '2026-12-01T09:00:00.000Z',
  priority: 'emergency',
  queueKey: '0#001796117554723#trauma-7',
  requested: new Map([
    [0, 4],
    [10, 5],
  ]),
  unpacked: new Map(),
};

const writeOff = (seq: number, quantity: number, lot: string | null): MovementRecord => ({
  productId: 42,
  seq,
  at: '2026-12-01T11:00:00.000Z',
  lot,
  quantity,
  onHandAfter: 100 + quantity,
  cause: { kind: 'write_off', reason: 'damaged', writeOffKey: 'wo-1' },
});

/** A stream record of the item a transaction item puts, as the stream delivers it. */
function recordOf(put: TransactionItem, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): StreamRecord {
  const item = put.Put!.Item as Record<string, unknown>;
  return {
    eventName,
    dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) as Record<string, unknown> },
  };
}

describe('stream records as changes (store/stream-changes.ts)', () => {
  it('reads an inserted ShipmentItem as the shipment of its order', () => {
    const change = changeOfStreamRecord(recordOf(putShipment('trauma-7', 'trauma-7', shipment)));
    expect(change).toEqual({ kind: 'shipped', orderKey: 'trauma-7', orderId: 'trauma-7', event: shipment });
  });

  it('keeps an integer order id an integer', () => {
    const change = changeOfStreamRecord(recordOf(putShipment('123', 123, shipment)));
    expect(change).toMatchObject({ kind: 'shipped', orderKey: '123', orderId: 123 });
  });

  it('reads an inserted CancelItem as a part of its order cancelled', () => {
    const change = changeOfStreamRecord(recordOf(putCancelPart('trauma-7', 0, new Map([[0, 2]]))));
    expect(change).toEqual({ kind: 'cancel-part', orderKey: 'trauma-7' });
  });

  it('reads an inserted MovementItem as its movements, numbered from its first seq', () => {
    const movements = [writeOff(7, -3, 'L1'), writeOff(8, -1, null)];
    const change = changeOfStreamRecord(recordOf(putMovements(movements)));
    expect(change).toEqual({ kind: 'stock-moved', movements });
  });

  it('ignores what is not an insert of those items', () => {
    const ship = putShipment('trauma-7', 'trauma-7', shipment);
    expect(changeOfStreamRecord(recordOf(ship, 'MODIFY'))).toBeUndefined();
    expect(changeOfStreamRecord(recordOf(ship, 'REMOVE'))).toBeUndefined();
    const newOrder = putNewOrder({
      orderId: 'trauma-7',
      orderKey: 'trauma-7',
      createdAt: order.createdAt,
      queueKey: order.queueKey,
      requested: order.requested,
    });
    expect(changeOfStreamRecord(recordOf(newOrder))).toBeUndefined();
    const product = { Put: { TableName: 't', Item: { pk: 'PRODUCT#42', sk: 'PRODUCT', on_hand: 5 } } };
    expect(changeOfStreamRecord(recordOf(product))).toBeUndefined();
    const wait = { Put: { TableName: 't', Item: { pk: 'PRODUCT#42', sk: 'WAIT#2#1#o', remaining: 1 } } };
    expect(changeOfStreamRecord(recordOf(wait))).toBeUndefined();
    expect(changeOfStreamRecord({ eventName: 'INSERT' })).toBeUndefined();
  });

  it('names in its filter exactly the sort keys it reads (the CDK event source filters on them)', () => {
    expect([...PUBLISHED_SORT_KEY_PREFIXES].sort()).toEqual(['CANCEL#', 'MOVE#', 'SHIP#']);
  });
});

describe('changes as events (domain/outbound-events.ts)', () => {
  it('makes one PackageShipped per package, with the SPEC Shipment and an id from its shipment id', () => {
    const events = packageShippedEvents('trauma-7', 'trauma-7', shipment);
    expect(events.map((e) => e.detailType)).toEqual(['PackageShipped', 'PackageShipped', 'PackageShipped']);
    expect(events.map((e) => e.detail.event_id)).toEqual([
      'package-shipped:trauma-7/0mabcdefg1a2b3c4d-1',
      'package-shipped:trauma-7/0mabcdefg1a2b3c4d-2',
      'package-shipped:trauma-7/0mabcdefg1a2b3c4d-3',
    ]);
    expect(events[2]).toEqual({
      detailType: 'PackageShipped',
      time: shipment.shippedAt,
      detail: {
        event_id: 'package-shipped:trauma-7/0mabcdefg1a2b3c4d-3',
        shipment: {
          shipment_id: '0mabcdefg1a2b3c4d-3',
          order_id: 'trauma-7',
          shipped: [{ product_id: 10, quantity: 3, lots: [{ lot: null, quantity: 3 }] }],
          mass_g: 900,
          shipped_at: shipment.shippedAt,
        },
      },
    });
  });

  it('gives the same ids to the same shipment read twice, and other ids to another order', () => {
    const ids = (orderKey: string) =>
      packageShippedEvents(orderKey, orderKey, shipment).map((e) => e.detail.event_id as string);
    expect(ids('trauma-7')).toEqual(ids('trauma-7'));
    expect(ids('trauma-8').some((id) => ids('trauma-7').includes(id))).toBe(false);
  });

  it('makes OrderFulfilled with the OrderSummary once everything shipped and is packed', () => {
    const event = orderSettledEvent('trauma-7', order, [shipment]);
    expect(event).toEqual({
      detailType: 'OrderFulfilled',
      time: shipment.shippedAt,
      detail: {
        event_id: 'order-fulfilled:trauma-7',
        order: {
          order_id: 'trauma-7',
          priority: 'emergency',
          status: 'fulfilled',
          requested: [
            { product_id: 0, quantity: 4 },
            { product_id: 10, quantity: 5 },
          ],
          shipped: [
            { product_id: 0, quantity: 4 },
            { product_id: 10, quantity: 5 },
          ],
          backordered: [],
          cancelled: [],
          created_at: order.createdAt,
          packages: 3,
        },
      },
    });
    expect(event!.detail).not.toHaveProperty('order.shipments');
  });

  it('makes nothing while units wait, or while units received are not packed yet', () => {
    const half: ShipmentEvent = { ...shipment, patterns: [shipment.patterns[1]!] };
    expect(orderSettledEvent('trauma-7', order, [half])).toBeUndefined();
    expect(orderSettledEvent('trauma-7', order, [])).toBeUndefined();
    const unpacked = new Map([['restock-1', new Map([[0, 4]])]]);
    const allButPacked: ShipmentEvent = { ...shipment, patterns: [{ ...shipment.patterns[1]!, count: 1 }] };
    const received = { ...order, requested: new Map([...order.requested, [10, 3]]), unpacked };
    expect(orderSettledEvent('trauma-7', received, [allButPacked])).toBeUndefined();
    expect(orderSettledEvent('trauma-7', { ...received, unpacked: new Map() }, [allButPacked])).toBeUndefined();
  });

  it('makes OrderCancelled with the OrderSummary once the cancellation left nothing waiting', () => {
    const half: ShipmentEvent = { ...shipment, patterns: [shipment.patterns[1]!] };
    const cancelled: OrderRecord = {
      ...order,
      cancellation: {
        at: '2026-12-01T12:00:00.000Z',
        reason: 'patient transferred',
        parts: 1,
        units: new Map([
          [0, 4],
          [10, 2],
        ]),
      },
    };
    const event = orderSettledEvent('trauma-7', cancelled, [half]);
    expect(event).toMatchObject({
      detailType: 'OrderCancelled',
      time: '2026-12-01T12:00:00.000Z',
      detail: {
        event_id: 'order-cancelled:trauma-7',
        order: {
          status: 'cancelled',
          shipped: [{ product_id: 10, quantity: 3 }],
          cancelled: [
            { product_id: 0, quantity: 4 },
            { product_id: 10, quantity: 2 },
          ],
          backordered: [],
          cancelled_at: '2026-12-01T12:00:00.000Z',
          cancel_reason: 'patient transferred',
          packages: 1,
        },
      },
    });
    // A first part of a larger cancellation: units still wait, nothing yet.
    const firstPart = { ...cancelled, cancellation: { ...cancelled.cancellation!, units: new Map([[0, 4]]) } };
    expect(orderSettledEvent('trauma-7', firstPart, [half])).toBeUndefined();
  });

  it('makes one StockWrittenOff per write-off movement, with the units as a positive quantity', () => {
    const restock: MovementRecord = { ...writeOff(6, 10, null), cause: { kind: 'restock', restockKey: 'r-1' } };
    const shipped: MovementRecord = {
      ...writeOff(9, -2, null),
      cause: { kind: 'shipment', orderId: 'trauma-7', orderKey: 'trauma-7', requestId: 'order' },
    };
    const events = stockWrittenOffEvents([restock, writeOff(7, -3, 'L1'), writeOff(8, -1, null), shipped]);
    expect(events).toEqual([
      {
        detailType: 'StockWrittenOff',
        time: '2026-12-01T11:00:00.000Z',
        detail: { event_id: 'stock-written-off:42-7', product_id: 42, lot: 'L1', quantity: 3, reason: 'damaged' },
      },
      {
        detailType: 'StockWrittenOff',
        time: '2026-12-01T11:00:00.000Z',
        detail: { event_id: 'stock-written-off:42-8', product_id: 42, lot: null, quantity: 1, reason: 'damaged' },
      },
    ]);
  });

  it('publishes under one source, which is not the Restock source', () => {
    expect(EVENT_SOURCE).toBe('fulfillment.service');
    expect(EVENT_SOURCE).not.toBe('fulfillment.restock');
  });
});
