/**
 * The sweeper (every minute in AWS, every second under `npm start`): finishes what a request
 * left behind when it died or ran out of time, so that no stock stays stranded (SPEC rule 8):
 * restocks whose lease ran out, large orders cut short, products whose drain was not finished.
 */
import { randomUUID } from 'node:crypto';
import { clearAttention, dueAttention, oldestWaitingQueueKey } from '../store/attention-store.js';
import { orderKeyOf, queueKeyTime } from '../store/keys.js';
import { getOrder } from '../store/order-store.js';
import { getRestock } from '../store/restock-store.js';
import { RequestInProgressError } from '../domain/errors.js';
import { fillBackorders } from './fill-backorders.js';
import { allocateUnprocessedLines, packAllUnpacked } from './large-changes.js';
import { resumeRestock } from './restock.js';

export interface SweepReport {
  restocksResumed: number;
  ordersFinished: number;
  productsDrained: number;
  /** Age of the oldest waiting order, 0 when none waits. */
  oldestBackorderAgeSeconds: number;
  draining: boolean;
}

export async function sweep(deadline: number, now = Date.now()): Promise<SweepReport> {
  const requestId = `sweep:${randomUUID()}`;
  const report: SweepReport = {
    restocksResumed: 0,
    ordersFinished: 0,
    productsDrained: 0,
    oldestBackorderAgeSeconds: 0,
    draining: false,
  };
  const due = await dueAttention(new Date(now).toISOString());
  const productIds: number[] = [];
  // Restocks first (they put stock on hand), then orders (they complete queues), then drains.
  for (const entry of due.filter((e) => e.pk.startsWith('RESTOCK#'))) {
    const stored = await getRestock(entry.pk.slice('RESTOCK#'.length));
    if (!stored || stored.record.status === 'done' || stored.record.leaseUntil > now) continue;
    try {
      await resumeRestock(stored.record, deadline);
      report.restocksResumed++;
    } catch (error) {
      if (!(error instanceof RequestInProgressError)) throw error;
    }
  }
  for (const entry of due.filter((e) => e.pk.startsWith('ORDER#'))) {
    const orderKey = entry.pk.slice('ORDER#'.length);
    await allocateUnprocessedLines(orderKey);
    await packAllUnpacked(orderKey);
    const order = await getOrder(orderKey);
    if (order && order.unprocessed.size === 0 && order.unpacked.size === 0) {
      await clearAttention(orderKeyOf(orderKey), entry.attentionSk);
      report.ordersFinished++;
    }
  }
  for (const entry of due.filter((e) => e.pk.startsWith('PRODUCT#'))) {
    productIds.push(Number(entry.pk.slice('PRODUCT#'.length)));
  }
  if (productIds.length > 0) {
    const drained = await fillBackorders(productIds, { requestId, deadline });
    report.productsDrained = productIds.length;
    report.draining = drained.draining;
  }
  const oldest = await oldestWaitingQueueKey();
  report.oldestBackorderAgeSeconds = oldest ? Math.max(0, Math.round((Date.now() - queueKeyTime(oldest)) / 1000)) : 0;
  return report;
}
