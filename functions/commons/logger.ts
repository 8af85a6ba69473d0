/**
 * One logger per process (Powertools): JSON in Lambda, so CloudWatch Logs Insights can query
 * fields such as order_id; `npm start` sets LOG_FORMAT=pretty for a person watching the terminal.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'fulfillment' });
