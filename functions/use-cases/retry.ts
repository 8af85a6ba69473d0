/**
 * The retry around optimistic writes: a store intent that lost a race answers `stale`, and the
 * use case reads again, plans again and tries again, with full jitter so that racing writers
 * spread out instead of colliding again. Each retry is counted (the ConditionRetries metric).
 */
import { retryCounter } from '../commons/counters.js';

/** What an attempt returns when it lost a race and must be run again on fresh data. */
export const RETRY = Symbol('retry');

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
}

export async function retryWhileStale<T>(
  what: string,
  attempt: (n: number) => Promise<T | typeof RETRY>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 12;
  const base = options.baseDelayMs ?? 5;
  for (let n = 0; ; n++) {
    const result = await attempt(n);
    if (result !== RETRY) return result;
    if (n + 1 >= attempts) throw new Error(`${what}: still losing races after ${attempts} attempts`);
    retryCounter.conditionRetries++;
    await pause(Math.random() * Math.min(1000, base * 2 ** n));
  }
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
