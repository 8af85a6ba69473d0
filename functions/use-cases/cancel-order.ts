/**
 * Cancelling an order (SPEC "Cancellation"): every unit that has not shipped stops waiting;
 * packages already shipped stay shipped. Atomic against a racing fill: the cancellation removes
 * each queue entry only if it still waits for exactly what the order's record says, and a fill
 * takes from an entry only if it holds what the drain read, so each unit is shipped or
 * cancelled, never both. Cancelling a cancelled order changes nothing; an order with nothing
 * left to wait for cannot be cancelled (409 order-complete).
 */
import { NotFoundError, OrderCompleteError } from '../domain/errors.js';
import type { OrderView } from '../domain/model.js';
import { type OrderId, orderIdKey } from '../domain/order-id.js';
import { creationComplete, toOrderView, waitingUnits } from '../domain/order-record.js';
import { cancelWaitingLines, readOrder } from '../store/order-store.js';
import { finishOrderCreation } from './large-orders.js';
import { RETRY, retryWhileStale } from './retry.js';

/** A cancellation cut short is the sweeper's to finish after this long. */
const CANCEL_LEASE_MS = 60_000;

export async function cancelOrder(orderId: OrderId, reason: string | null): Promise<OrderView> {
  const orderKey = orderIdKey(orderId);
  return retryWhileStale(`cancelling order ${orderKey}`, async () => {
    let stored = await readOrder(orderKey);
    if (!stored) throw new NotFoundError(`no order ${JSON.stringify(orderId)}`);
    if (!creationComplete(stored.order)) {
      // Lines not yet in their queues cannot be taken out of them: finish the creation first.
      await finishOrderCreation(orderKey);
      stored = (await readOrder(orderKey))!;
    }
    const { order, events } = stored;
    const waiting = waitingUnits(order, events);
    if (waiting.size === 0) {
      if (order.cancellation) return toOrderView(order, events);
      throw new OrderCompleteError(`order ${JSON.stringify(orderId)} has nothing left to wait for: it is fulfilled`);
    }
    const outcome = await cancelWaitingLines({
      orderKey,
      queueKey: order.queueKey,
      priority: order.priority,
      waiting,
      ...(order.cancellation ? { recorded: { parts: order.cancellation.parts } } : {}),
      // A cancellation cut short keeps the time and reason it was recorded with.
      at: order.cancellation?.at ?? new Date().toISOString(),
      reason: order.cancellation ? order.cancellation.reason : reason,
      dueAt: new Date(Date.now() + CANCEL_LEASE_MS).toISOString(),
    });
    // A fill or another cancellation raced in: read the order as it is now and go on from there.
    if (outcome !== 'cancelled') return RETRY;
    const after = (await readOrder(orderKey))!;
    return toOrderView(after.order, after.events);
  });
}

/** The sweeper's part: a cancellation cut short between its parts is carried to the end. */
export async function finishCancellation(orderKey: string): Promise<void> {
  const stored = await readOrder(orderKey);
  if (!stored?.order.cancellation || waitingUnits(stored.order, stored.events).size === 0) return;
  await cancelOrder(stored.order.orderId, stored.order.cancellation.reason);
}
