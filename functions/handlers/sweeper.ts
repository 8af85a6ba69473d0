/** Scheduled every minute: finishes work cut short, reports the oldest backorder's age. */
import type { ScheduledEvent } from 'aws-lambda';
import { lambdaHandler } from '../commons/lambda-handler.js';
import { logger } from '../commons/logger.js';
import { countMetric, CUSTOM_METRICS, MetricUnit } from '../commons/metrics.js';
import { drainDeadline } from '../http/api-handler.js';
import { sweep, type SweepReport } from '../use-cases/sweep.js';

export const handler = lambdaHandler(
  async (_event: ScheduledEvent, context): Promise<SweepReport> => {
    const report = await sweep(drainDeadline(context));
    countMetric(CUSTOM_METRICS.oldestBackorderAgeSeconds, report.oldestBackorderAgeSeconds, MetricUnit.Seconds);
    if (report.restocksResumed + report.ordersFinished + report.productsDrained + report.lotsExpired > 0)
      logger.info('sweep', { ...report });
    return report;
  },
  (event) => ({ correlationId: event.id }),
);
