/**
 * Counts the DynamoDB requests a client sends, per command, and sums the capacity they consumed,
 * with one SDK middleware on the client's stack (the document client shares its stack with the
 * low-level client, so both are counted). Used by the round-trip tests and the load benchmark.
 *
 * Counted at the `initialize` step: one count per command sent, before the SDK's own retries
 * (DynamoDB Local never throttles, so on it a command is one HTTP request). With
 * `returnConsumedCapacity` (the default) every data command asks for `ReturnConsumedCapacity:
 * TOTAL`, so capacity is known per request without changing what the service writes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/commons/dynamodb.js';

export interface CountedRequest {
  /** e.g. `TransactWriteItems`, `Query`, `BatchGetItem`, `Scan`. */
  command: string;
  /** For Query and Scan: the index read, if any. */
  index?: string;
  /** Capacity units consumed (read + write) as DynamoDB reported them; 0 if not reported. */
  capacity: number;
  /** Items in a TransactWriteItems / TransactGetItems. */
  items?: number;
  failed?: boolean;
}

export interface RequestCounts {
  total: number;
  byCommand: Record<string, number>;
  capacity: number;
  capacityByCommand: Record<string, number>;
  requests: CountedRequest[];
}

export interface RequestCounter {
  /** Forgets every request counted so far. */
  reset(): void;
  /** What was counted since the last reset. */
  counts(): RequestCounts;
  /** Resets, runs `work`, and returns its result with the requests it caused. */
  measure<T>(work: () => Promise<T>): Promise<{ result: T; counts: RequestCounts }>;
  /** Stops counting (requests still pass) until `resume`. */
  pause(): void;
  resume(): void;
  /** Removes the middleware from the client. */
  uninstall(): void;
}

/** Commands that accept `ReturnConsumedCapacity`. */
const CAPACITY_COMMANDS = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'DeleteItem',
  'GetItem',
  'PutItem',
  'Query',
  'Scan',
  'TransactGetItems',
  'TransactWriteItems',
  'UpdateItem',
  'ExecuteStatement',
  'ExecuteTransaction',
  'BatchExecuteStatement',
]);

let installed = 0;

export function installRequestCounter(
  client: DynamoDBDocumentClient | DynamoDBClient = documentClient(),
  { returnConsumedCapacity = true }: { returnConsumedCapacity?: boolean } = {},
): RequestCounter {
  let requests: CountedRequest[] = [];
  let paused = false;
  const name = `requestCounter${++installed}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (paused) return next(args);
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = args.input as Record<string, unknown>;
      const record: CountedRequest = { command, capacity: 0 };
      if (typeof input.IndexName === 'string') record.index = input.IndexName;
      if (Array.isArray(input.TransactItems)) record.items = input.TransactItems.length;
      requests.push(record);
      const sent =
        returnConsumedCapacity && CAPACITY_COMMANDS.has(command) && input.ReturnConsumedCapacity === undefined
          ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } }
          : args;
      try {
        const result = await next(sent);
        record.capacity = capacityOf((result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity);
        return result;
      } catch (error) {
        record.failed = true;
        throw error;
      }
    },
    { step: 'initialize', name, priority: 'high' },
  );

  const counts = (): RequestCounts => {
    const byCommand: Record<string, number> = {};
    const capacityByCommand: Record<string, number> = {};
    let capacity = 0;
    for (const r of requests) {
      byCommand[r.command] = (byCommand[r.command] ?? 0) + 1;
      capacityByCommand[r.command] = (capacityByCommand[r.command] ?? 0) + r.capacity;
      capacity += r.capacity;
    }
    return { total: requests.length, byCommand, capacity, capacityByCommand, requests: [...requests] };
  };

  return {
    reset: () => {
      requests = [];
    },
    counts,
    async measure(work) {
      requests = [];
      const result = await work();
      return { result, counts: counts() };
    },
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
    uninstall: () => {
      client.middlewareStack.remove(name);
    },
  };
}

function capacityOf(consumed: unknown): number {
  if (consumed === undefined || consumed === null) return 0;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((sum: number, c) => sum + (Number((c as { CapacityUnits?: number }).CapacityUnits) || 0), 0);
}
