/** Scheduled every minute: finishes work cut short, reports the oldest backorder's age. */
import type { Context, ScheduledEvent } from 'aws-lambda';
import { logger } from '../commons/logger.js';
import { traced } from '../commons/tracer.js';
import { countMetric, CUSTOM_METRICS, MetricUnit, publishMetrics } from '../commons/metrics.js';
import { drainDeadline } from '../http/api-handler.js';
import { sweep, type SweepReport } from '../use-cases/sweep.js';

export async function handler(event: ScheduledEvent, context: Context): Promise<SweepReport> {
  if (context) logger.addContext(context);
  logger.appendKeys({ correlation_id: event.id });
  try {
    const report = await traced(context?.functionName || 'sweeper', () => sweep(drainDeadline(context)));
    countMetric(CUSTOM_METRICS.oldestBackorderAgeSeconds, report.oldestBackorderAgeSeconds, MetricUnit.Seconds);
    if (report.restocksResumed + report.ordersFinished + report.productsDrained > 0)
      logger.info('sweep', { ...report });
    return report;
  } finally {
    publishMetrics();
    logger.removeKeys(['correlation_id']);
  }
}
