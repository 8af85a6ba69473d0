/**
 * The sweeper (every minute in AWS, every second under `npm start`): finishes what a request
 * left behind when it died or ran out of time, so that no stock stays stranded (SPEC rule 8):
 * restocks whose lease ran out, large orders and cancellations cut short, products whose drain
 * was not finished; and writes off the units of lots that expired (SPEC v2).
 */
import { randomUUID } from 'node:crypto';
import { RequestInProgressError } from '../domain/errors.js';
import { creationComplete, waitingUnits } from '../domain/order-record.js';
import { clearOrderMark, dueWork, oldestWaitingSince } from '../store/attention-store.js';
import { readOrder } from '../store/order-store.js';
import { getRestock } from '../store/restock-store.js';
import { finishCancellation } from './cancel-order.js';
import { fillBackorders } from './fill-backorders.js';
import { finishOrderCreation } from './large-orders.js';
import { expireLot } from './lots.js';
import { resumeRestock } from './restock.js';
import { packAllUnpacked } from './unpacked-parts.js';

export interface SweepReport {
  restocksResumed: number;
  ordersFinished: number;
  productsDrained: number;
  /** Lots whose expired units were written off (or that were used up before they expired). */
  lotsExpired: number;
  /** Age of the oldest waiting order, 0 when none waits. */
  oldestBackorderAgeSeconds: number;
  draining: boolean;
}

export interface SweepOptions {
  /**
   * Take every mark as due and every lease as over. Only for a process that knows no request is
   * in flight: `npm start` runs one such sweep before it listens, after a crash, since the data
   * directory's lock proves that no other process uses the data.
   */
  recover?: boolean;
}

export async function sweep(deadline: number, options: SweepOptions = {}): Promise<SweepReport> {
  const now = options.recover ? Number.MAX_SAFE_INTEGER : Date.now();
  const requestId = `sweep:${randomUUID()}`;
  const report: SweepReport = {
    restocksResumed: 0,
    ordersFinished: 0,
    productsDrained: 0,
    lotsExpired: 0,
    oldestBackorderAgeSeconds: 0,
    draining: false,
  };
  const due = await dueWork(options.recover ? '9999-12-31T23:59:59.999Z' : new Date(now).toISOString());
  // Restocks first (they put stock on hand), then orders (they complete queues), then drains.
  for (const work of due) {
    if (work.kind !== 'restock') continue;
    const stored = await getRestock(work.key);
    if (!stored || stored.record.status === 'done' || stored.record.leaseUntil > now) continue;
    try {
      await resumeRestock(stored.record, deadline);
      report.restocksResumed++;
    } catch (error) {
      if (!(error instanceof RequestInProgressError)) throw error;
    }
  }
  for (const work of due) {
    if (work.kind !== 'order') continue;
    await finishOrderCreation(work.orderKey);
    await packAllUnpacked(work.orderKey);
    await finishCancellation(work.orderKey);
    const stored = await readOrder(work.orderKey);
    const cancelling = stored?.order.cancellation && waitingUnits(stored.order, stored.events).size > 0;
    if (stored && creationComplete(stored.order) && stored.parts.length === 0 && !cancelling) {
      await clearOrderMark(work.orderKey, work.mark);
      report.ordersFinished++;
    }
  }
  // Lots that expired: their units are written off (SPEC: within one sweeper period).
  for (const work of due) {
    if (work.kind === 'lot' && (await expireLot(work.productId, work.lot, work.mark))) report.lotsExpired++;
  }
  const productIds = due.flatMap((work) => (work.kind === 'product' ? [work.productId] : []));
  if (productIds.length > 0) {
    const drained = await fillBackorders(productIds, {
      requestId,
      deadline,
      // A product another drain holds is that drain's to finish (its mark stays, if not).
      waitForLeases: false,
      breakLeases: options.recover,
      clearMarks: true,
    });
    report.productsDrained = productIds.length;
    report.draining = drained.draining;
  }
  const oldest = await oldestWaitingSince();
  report.oldestBackorderAgeSeconds = oldest === undefined ? 0 : Math.max(0, Math.round((Date.now() - oldest) / 1000));
  return report;
}
