/**
 * TransactWriteItems with the cancellation reasons made readable, and the bounded, jittered
 * retry the use cases wrap around optimistic writes.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../commons/dynamodb.js';
import { retryCounter } from '../commons/counters.js';

export type TransactionItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/** A transaction was cancelled; `failedIndexes` are the items whose condition failed. */
export class TransactionCancelled extends Error {
  constructor(
    readonly failedIndexes: number[],
    /** True when DynamoDB cancelled for a concurrent transaction on the same items (AWS only). */
    readonly conflict: boolean,
  ) {
    super(
      `transaction cancelled: conditions failed at ${failedIndexes.join(',') || 'none'}${conflict ? ' (conflict)' : ''}`,
    );
  }
  failedAt(index: number): boolean {
    return this.failedIndexes.includes(index);
  }
}

export async function transactWrite(items: TransactionItem[]): Promise<void> {
  if (items.length === 0) return;
  if (items.length > MAX_TRANSACTION_ITEMS) {
    throw new Error(`a transaction holds at most ${MAX_TRANSACTION_ITEMS} items, got ${items.length}`);
  }
  try {
    await documentClient().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (error instanceof TransactionCanceledException || (error as Error).name === 'TransactionCanceledException') {
      const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
      const failed = reasons.flatMap((r, i) => (r.Code === 'ConditionalCheckFailed' ? [i] : []));
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
      throw new TransactionCancelled(failed, conflict);
    }
    throw error;
  }
}

export function isConditionFailure(error: unknown): boolean {
  return (error as Error)?.name === 'ConditionalCheckFailedException';
}

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  onRetry?: (attempt: number, error: unknown) => void;
}

// Every retry is counted once, here; the handlers publish the count as ConditionRetries.
export { retryCounter };

/**
 * Runs `attempt` until it returns, retrying on TransactionCancelled (lost a race: re-read and
 * try again) with full jitter, so that racing writers spread out instead of colliding again.
 */
export async function retryOnContention<T>(attempt: (n: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 12;
  const base = options.baseDelayMs ?? 5;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof TransactionCancelled) || n + 1 >= attempts) throw error;
      retryCounter.conditionRetries++;
      options.onRetry?.(n, error);
      const cap = Math.min(1000, base * 2 ** n);
      await sleep(Math.random() * cap);
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Splits `items` into runs of at most `size`. */
export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `work` on every item, at most `concurrency` at a time (independent single-item writes). */
export async function forEachConcurrently<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
