/**
 * Fault injection at the DynamoDB client, the way a Lambda meets faults in AWS: a request that
 * fails before it is sent, a write that is applied but whose answer is lost (the function times
 * out after committing), throttling once the SDK's own retries are spent, and transaction
 * conflicts (which DynamoDB Local never raises).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, setDocumentClient } from '../../functions/commons/dynamodb.js';

export interface FaultRates {
  beforeSend: number;
  answerLost: number;
  throttled: number;
  conflict: number;
}

export interface FaultCounts {
  beforeSend: number;
  answerLost: number;
  throttled: number;
  conflict: number;
}

const WRITES = new Set(['TransactWriteCommand', 'UpdateCommand', 'PutCommand', 'DeleteCommand']);

/** Installs the faulty client; returns the counts and a function that restores the real one. */
export function injectFaults(
  rates: FaultRates,
  random: () => number = Math.random,
): { counts: FaultCounts; restore: () => void } {
  const real = documentClient();
  const counts: FaultCounts = { beforeSend: 0, answerLost: 0, throttled: 0, conflict: 0 };
  let enabled = true;
  const proxy = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
        const name = command.constructor.name;
        if (enabled) {
          if (random() < rates.beforeSend) {
            counts.beforeSend++;
            throw Object.assign(new Error('injected: connection reset before the request was sent'), {
              name: 'NetworkingError',
            });
          }
          if (random() < rates.throttled) {
            counts.throttled++;
            throw Object.assign(new Error('injected: throughput exceeded'), {
              name: 'ProvisionedThroughputExceededException',
            });
          }
          if (name === 'TransactWriteCommand' && random() < rates.conflict) {
            counts.conflict++;
            throw new TransactionCanceledException({
              message: 'injected: transaction conflict',
              $metadata: {},
              CancellationReasons: [{ Code: 'TransactionConflict' }],
            });
          }
        }
        const result = await (real.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
        if (enabled && WRITES.has(name) && random() < rates.answerLost) {
          counts.answerLost++;
          throw Object.assign(new Error('injected: applied, but the answer was lost (function timed out)'), {
            name: 'TimeoutError',
          });
        }
        return result;
      };
    },
  });
  setDocumentClient(proxy as DynamoDBDocumentClient);
  return {
    counts,
    restore: () => {
      enabled = false;
      setDocumentClient(real);
    },
  };
}

/**
 * The function dies right after its `committed`-th TransactWriteItems commits: that one's answer
 * is lost, and from then on every DynamoDB call fails, as if the process were gone. Returns the
 * function that restores the client.
 */
export function dieAfterTransactions(committed: number): () => void {
  const real = documentClient();
  let transactions = 0;
  const proxy = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: { constructor: { name: string } }, ...rest: unknown[]) => {
        if (transactions >= committed) {
          throw Object.assign(new Error('injected: the function died'), { name: 'TimeoutError' });
        }
        const result = await (real.send as (...a: unknown[]) => Promise<unknown>)(command, ...rest);
        if (command.constructor.name === 'TransactWriteCommand' && ++transactions >= committed) {
          throw Object.assign(new Error('injected: committed, then the function died'), { name: 'TimeoutError' });
        }
        return result;
      };
    },
  });
  setDocumentClient(proxy as DynamoDBDocumentClient);
  return () => setDocumentClient(real);
}
