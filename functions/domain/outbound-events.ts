/**
 * The events the service publishes (SPEC v2 "Outbound events"), as pure functions of what
 * committed. The store turns the table's stream into changes (store/stream-changes.ts); the use
 * case (use-cases/publish-events.ts) asks these functions which events each change makes and
 * hands them to a publisher (EventBridge in AWS, the terminal and a webhook under `npm start`).
 *
 * Every event carries a stable `detail.event_id`: delivery is at least once (a stream record may
 * be delivered again, two shipments may both find their order fulfilled), so a subscriber keeps
 * the ids it has handled and drops a repeat. The id names the fact, never the delivery:
 *   PackageShipped   package-shipped:<order key>/<shipment_id>  (one per package)
 *   OrderFulfilled   order-fulfilled:<order key>                  (an order is fulfilled once)
 *   OrderCancelled   order-cancelled:<order key>                  (an order is cancelled once)
 *   StockWrittenOff  stock-written-off:<product_id>-<seq>         (one per write-off movement)
 * The order key is the order id as text (domain/order-id.ts); it makes a package's id unique
 * across orders by construction, since a shipment id is unique only within its order.
 */
import type { Shipment } from './model.js';
import { type MovementRecord, movementId, type WriteOffReason } from './movement.js';
import type { OrderId } from './order-id.js';
import { expandShipments, type OrderRecord, type ShipmentEvent, toOrderView } from './order-record.js';
import { type OrderSummary, toOrderSummary } from './order-summary.js';

/**
 * The `source` of every event the service publishes on its bus: subscribers' rules match on it
 * and on `detail-type`, the event's name. Restock events arrive on the same bus with another
 * source and the detail-type `Restock`, which the service never publishes.
 */
export const EVENT_SOURCE = 'fulfillment.service';

export interface PackageShippedDetail {
  event_id: string;
  shipment: Shipment;
}

export interface OrderEventDetail {
  event_id: string;
  order: OrderSummary;
}

export interface StockWrittenOffDetail {
  event_id: string;
  product_id: number;
  /** null for the product's unnamed lot. */
  lot: string | null;
  /** Units written off: positive (the movement's quantity is signed, negative out of stock). */
  quantity: number;
  reason: WriteOffReason;
}

/** An event as the publishers take it; `time` is when the fact happened (EventBridge's `Time`). */
export type OutboundEvent =
  | { detailType: 'PackageShipped'; detail: PackageShippedDetail; time: string }
  | { detailType: 'OrderFulfilled'; detail: OrderEventDetail; time: string }
  | { detailType: 'OrderCancelled'; detail: OrderEventDetail; time: string }
  | { detailType: 'StockWrittenOff'; detail: StockWrittenOffDetail; time: string }
  | { detailType: 'LotRecalled'; detail: LotRecalledDetail; time: string };

/**
 * SPEC: `{event_id, product_id, lot}`. A recall inserts its RecallItem once (a second recall
 * changes nothing), and that insert is the event. The units it takes off are write-off movements
 * with the reason `recalled`, so they are StockWrittenOff events already.
 */
export interface LotRecalledDetail {
  event_id: string;
  product_id: number;
  lot: string;
}

/** LotRecalled for a recall as recorded. */
export function lotRecalledEvent(productId: number, lot: string, at: string): OutboundEvent {
  return {
    detailType: 'LotRecalled',
    time: at,
    detail: { event_id: eventIds.lotRecalled(productId, lot), product_id: productId, lot },
  };
}

export type EventName = OutboundEvent['detailType'];
export type OrderSettledEvent = Extract<OutboundEvent, { detailType: 'OrderFulfilled' | 'OrderCancelled' }>;

/** The port every publisher implements. */
export interface EventPublisher {
  /**
   * Publishes each event at least once, or names its `event_id` among `failed`: the stream
   * records that made it are then delivered again (nothing is lost, and repeats keep their ids).
   */
  publish(events: OutboundEvent[]): Promise<{ failed: string[] }>;
}

export const eventIds = {
  packageShipped: (orderKey: string, shipmentId: string) => `package-shipped:${orderKey}/${shipmentId}`,
  orderFulfilled: (orderKey: string) => `order-fulfilled:${orderKey}`,
  orderCancelled: (orderKey: string) => `order-cancelled:${orderKey}`,
  stockWrittenOff: (productId: number, seq: number) => `stock-written-off:${movementId(productId, seq)}`,
  lotRecalled: (productId: number, lot: string) => `lot-recalled:${productId}/${lot}`,
};

/** One PackageShipped per package of a shipment event (the packages as the order's view lists them). */
export function packageShippedEvents(orderKey: string, orderId: OrderId, event: ShipmentEvent): OutboundEvent[] {
  return expandShipments(orderId, event).map((shipment) => ({
    detailType: 'PackageShipped',
    time: shipment.shipped_at,
    detail: { event_id: eventIds.packageShipped(orderKey, shipment.shipment_id), shipment },
  }));
}

/**
 * OrderFulfilled or OrderCancelled once the order, as read now, is settled: nothing waits any more
 * (`fulfilled` or `cancelled`, which never change again) and every unit it received is packed, so
 * the summary's `packages` is final. Units allocated but not packed yet are packed by their
 * request or the sweeper into a shipment, whose arrival in the stream asks again.
 */
export function orderSettledEvent(
  orderKey: string,
  order: OrderRecord,
  events: ShipmentEvent[],
): OrderSettledEvent | undefined {
  if (order.unpacked.size > 0) return undefined;
  const view = toOrderView(order, events);
  const summary = toOrderSummary(view);
  if (view.status === 'fulfilled') {
    return {
      detailType: 'OrderFulfilled',
      // Fulfilled when its last package shipped (events are oldest first).
      time: events.at(-1)?.shippedAt ?? view.created_at,
      detail: { event_id: eventIds.orderFulfilled(orderKey), order: summary },
    };
  }
  if (view.status === 'cancelled') {
    return {
      detailType: 'OrderCancelled',
      time: view.cancelled_at ?? view.created_at,
      detail: { event_id: eventIds.orderCancelled(orderKey), order: summary },
    };
  }
  return undefined;
}

/** One StockWrittenOff per write-off movement; restocks and shipments move stock too, silently. */
export function stockWrittenOffEvents(movements: MovementRecord[]): OutboundEvent[] {
  return movements.flatMap((m): OutboundEvent[] =>
    m.cause.kind === 'write_off'
      ? [
          {
            detailType: 'StockWrittenOff',
            time: m.at,
            detail: {
              event_id: eventIds.stockWrittenOff(m.productId, m.seq),
              product_id: m.productId,
              lot: m.lot,
              quantity: -m.quantity,
              reason: m.cause.reason,
            },
          },
        ]
      : [],
  );
}
