/**
 * TransactWriteItems for the store's intents (nothing outside functions/store/ sees a
 * transaction item): cancellation reasons made readable, with the old image of each item whose
 * condition failed when the item asked for it, and DynamoDB's limit on actions per transaction.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { retryCounter } from '../commons/counters.js';
import { documentClient } from '../commons/dynamodb.js';

export type TransactionItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/** A transaction was cancelled; `failedIndexes` are the items whose condition failed. */
export class TransactionCancelled extends Error {
  constructor(
    readonly failedIndexes: number[],
    /** True when DynamoDB cancelled for a concurrent transaction on the same items (AWS only). */
    readonly conflict: boolean,
    /** Old images of failed items that asked for them (`ReturnValuesOnConditionCheckFailure`). */
    readonly oldItems: ReadonlyMap<number, Record<string, unknown>> = new Map(),
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
    // A bug in a store module, never a request's size: intents split their work before this.
    throw new Error(`a transaction holds at most ${MAX_TRANSACTION_ITEMS} items, got ${items.length}`);
  }
  try {
    await documentClient().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (error instanceof TransactionCanceledException || (error as Error).name === 'TransactionCanceledException') {
      const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
      const failed: number[] = [];
      const oldItems = new Map<number, Record<string, unknown>>();
      reasons.forEach((reason, i) => {
        if (reason.Code !== 'ConditionalCheckFailed') return;
        failed.push(i);
        if (reason.Item) oldItems.set(i, unmarshall(reason.Item));
      });
      const conflict = reasons.some((r) => r.Code === 'TransactionConflict');
      throw new TransactionCancelled(failed, conflict, oldItems);
    }
    throw error;
  }
}

export type CommitResult = { ok: true } | { ok: false; cancelled: TransactionCancelled };

/** Attempts at a transaction that DynamoDB cancels for a conflict alone, before it is an error. */
const CONFLICT_ATTEMPTS = 6;

/**
 * A transaction whose condition failed is an outcome for the intents, not an error: each turns
 * it into its own (`exists`, `stale`, `already`...). A transaction cancelled for a conflict alone
 * (another transaction on one of its items at that moment; no condition failed, nothing written)
 * says nothing about the data: it is sent again as it is, and never reaches an intent as an
 * outcome, where it would read as "someone else did it".
 */
export async function commit(items: TransactionItem[]): Promise<CommitResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      await transactWrite(items);
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.failedIndexes.length > 0) return { ok: false, cancelled: error };
      if (!error.conflict || attempt >= CONFLICT_ATTEMPTS) throw error;
      retryCounter.conditionRetries++;
      await sleep(Math.random() * 10 * 2 ** attempt);
    }
  }
}

export function isConditionFailure(error: unknown): boolean {
  return (error as Error)?.name === 'ConditionalCheckFailedException';
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
