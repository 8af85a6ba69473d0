/**
 * Runs the sweeper the way EventBridge Scheduler would in AWS, but every second: locally
 * there is no reason to wait a minute for a cut-short drain to be resumed (SPEC rule 8).
 * A run starts only after the previous one has finished, so runs never overlap.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduledEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './api-gateway-event.js';
import type { ScheduledHandler } from './handler-loader.js';
import { createLambdaContext } from './lambda-context.js';
import { LOCAL_REGION } from './local-aws-env.js';

export interface SweeperLoop {
  /** Cancels the next run and waits for the current one, if any, to finish. */
  stop(): Promise<void>;
}

export interface SweeperLoopOptions {
  intervalMs: number;
  /** Each run's Lambda timeout; default 60 s, the deployed sweeper's. */
  timeoutMs?: number;
  onError?: (error: unknown) => void;
}

export function startSweeperLoop(handler: ScheduledHandler, options: SweeperLoopOptions): SweeperLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const runOnce = async () => {
    try {
      await handler(scheduledEvent(), createLambdaContext('fulfillment-local-sweeper', options.timeoutMs ?? 60_000));
    } catch (error) {
      // One failed sweep must not end the loop: the next run retries, as the schedule would.
      (options.onError ?? ((e) => console.error('sweeper run failed:', e)))(error);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().finally(() => {
        running = undefined;
        schedule();
      });
    }, options.intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The event an EventBridge schedule rule delivers. */
export function scheduledEvent(now = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [`arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:rule/fulfillment-local-sweeper`],
    detail: {},
  };
}
