/**
 * Outbound events (SPEC v2): records of the table's stream in, events out through a publisher
 * (EventBridge in AWS: handlers/publish-events.ts; the terminal and a webhook under `npm start`).
 *
 * At least once, and only what committed: a stream record exists only for a change that
 * committed (a cancelled transaction leaves none), and a record whose events were not all taken
 * is named in `failedRecords`, so that it is delivered again (Lambda retries from it; `npm start`
 * reads again from its last saved position). A repeat makes the same events with the same ids.
 *
 * Most events follow from the record alone (a package, a write-off). Whether an order is now
 * fulfilled or cancelled does not: that is the order as a whole, so a shipment or a cancellation
 * part makes the publisher read the order (one strongly consistent Query, as GET does), once per
 * order and batch. Reading after the record means the order is seen at least as settled as the
 * change left it; `fulfilled` and `cancelled` never change again, so two shipments that both find
 * it settled publish the same event id.
 *
 * The follower also keeps the lots' books (store/lot-store.ts): which packages carried each
 * named lot, and its units shipped and written off, once per record however often it comes.
 *
 * The same read files a settled order in its list (SPEC v2 "Order lists": fulfilled, cancelled)
 * with its final summary, once (store/order-lists-store.ts). It is done here, not by a third reader
 * of the stream, because AWS advises at most two Lambda functions per stream shard, and the
 * movement ledger's sequencer is the other one.
 */
import { logger } from '../commons/logger.js';
import {
  type EventPublisher,
  type OutboundEvent,
  lotRecalledEvent,
  orderSettledEvent,
  packageShippedEvents,
  stockWrittenOffEvents,
} from '../domain/outbound-events.js';
import { recordLotShipments, recordLotWriteOff } from '../store/lot-store.js';
import { fileSettledOrders } from '../store/order-lists-store.js';
import { readOrder } from '../store/order-store.js';
import { changeOfStreamRecord, type StreamRecord } from '../store/stream-changes.js';

export type { StreamRecord };

/** A stream record and the id its source knows it by (the sequence number, in both sources). */
export interface IdentifiedRecord {
  id: string;
  record: StreamRecord;
}

export interface PublishReport {
  /** Distinct events the publisher took. */
  published: number;
  /** Records to deliver again, in the order given: one of their events was not taken, or reading failed. */
  failedRecords: string[];
}

/** Orders read at once: a batch of 100 shipment records may name 100 orders. */
const ORDER_READS_AT_ONCE = 8;

export async function publishEvents(records: IdentifiedRecord[], publisher: EventPublisher): Promise<PublishReport> {
  const failed = new Set<string>();
  /** Each event once, with every record that made it (a repeat in one batch is one event). */
  const events = new Map<string, { event: OutboundEvent; records: string[] }>();
  const add = (recordId: string, made: OutboundEvent[]) => {
    for (const event of made) {
      const entry = events.get(event.detail.event_id) ?? { event, records: [] };
      entry.records.push(recordId);
      events.set(event.detail.event_id, entry);
    }
  };
  /** Orders to read, with the records that asked. */
  const orders = new Map<string, string[]>();
  const askOrder = (orderKey: string, recordId: string) =>
    orders.set(orderKey, [...(orders.get(orderKey) ?? []), recordId]);

  for (const { id, record } of records) {
    try {
      const change = changeOfStreamRecord(record);
      if (change?.kind === 'shipped') {
        add(id, packageShippedEvents(change.orderKey, change.orderId, change.event));
        askOrder(change.orderKey, id);
        await recordLotShipments(change.orderKey, change.orderId, change.event);
      } else if (change?.kind === 'cancel-part') {
        askOrder(change.orderKey, id);
      } else if (change?.kind === 'stock-moved') {
        add(id, stockWrittenOffEvents(change.movements));
        for (const m of change.movements) {
          if (m.cause.kind === 'write_off' && m.lot !== null) {
            await recordLotWriteOff(m.productId, m.lot, m.seq, -m.quantity, m.cause.writeOffKey);
          }
        }
      } else if (change?.kind === 'lot-recalled') {
        add(id, [lotRecalledEvent(change.productId, change.lot, change.at)]);
      }
    } catch (error) {
      logger.error('stream record not readable', { record_id: id, error: error as Error });
      failed.add(id);
    }
  }

  const queue = [...orders];
  const readNext = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [orderKey, recordIds] = next;
      try {
        const stored = await readOrder(orderKey);
        const settled = stored && orderSettledEvent(orderKey, stored.order, stored.events);
        if (!settled) continue;
        if (stored.list === 'open') {
          await fileSettledOrders([{ orderKey, queueKey: stored.order.queueKey, summary: settled.detail.order }]);
        }
        for (const id of recordIds) add(id, [settled]);
      } catch (error) {
        logger.error('order not readable for its events', { order_key: orderKey, error: error as Error });
        for (const id of recordIds) failed.add(id);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ORDER_READS_AT_ONCE, queue.length) }, readNext));

  const entries = [...events.values()];
  const notTaken = entries.length === 0 ? [] : (await publisher.publish(entries.map((e) => e.event))).failed;
  for (const eventId of notTaken) for (const id of events.get(eventId)?.records ?? []) failed.add(id);
  return {
    published: entries.length - new Set(notTaken).size,
    failedRecords: records.map((r) => r.id).filter((id) => failed.has(id)),
  };
}
