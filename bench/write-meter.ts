/**
 * What each DynamoDB request the service sends writes and reads, item by item, sized by
 * DynamoDB's rules (bench/capacity-model.ts). DynamoDB Local's own ReturnConsumedCapacity counts
 * about one unit per item whatever its size, so it cannot tell a 300-byte item from a 3 KB one.
 *
 * An SDK middleware on the service's document client reads every item a write names just before
 * and just after the write (strongly consistent, with a client of its own that is not metered):
 * a write bills the larger of the two images, and comparing their index keys gives what the
 * write did to each keys-only index. Reads are sized from the items they return. The images are
 * only right when nothing else writes meanwhile: for sequential measurements.
 */
import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  type IndexWrite,
  type Item,
  indexWrites,
  itemBytes,
  type KeysOnlyIndex,
  readUnits,
  writeUnits,
} from './capacity-model.js';

export type WriteAction = 'Put' | 'Update' | 'Delete' | 'ConditionCheck';

export interface MeteredWrite {
  action: WriteAction;
  pk: string;
  sk: string;
  /** The larger of the item's images before and after (a ConditionCheck: the item as checked). */
  bytes: number;
  wcu: number;
  /** Entries added to or removed from the indexes, each with its write units. */
  index: Array<IndexWrite & { wcu: number }>;
}

export interface MeteredRead {
  /** Base-table partition key, or the index partition for a Query on an index. */
  partition: string;
  index?: string;
  bytes: number;
  rcu: number;
}

export interface MeteredRequest {
  command: string;
  transactional: boolean;
  /** Refused (a failed condition, a cancelled transaction): DynamoDB still bills its writes. */
  failed: boolean;
  writes: MeteredWrite[];
  reads: MeteredRead[];
}

export interface WriteMeter {
  requests(): MeteredRequest[];
  reset(): void;
  pause(): void;
  resume(): void;
  uninstall(): void;
}

interface NamedWrite {
  action: WriteAction;
  key: { pk: string; sk: string };
}

const MIDDLEWARE_NAME = 'benchWriteMeter';

export function installWriteMeter(
  client: DynamoDBDocumentClient,
  options: { reader: DynamoDBClient; tableName: () => string; indexes: readonly KeysOnlyIndex[] },
): WriteMeter {
  let recorded: MeteredRequest[] = [];
  let paused = false;
  const images = async (keys: NamedWrite['key'][]): Promise<Map<string, Item>> => {
    if (keys.length === 0) return new Map();
    const table = options.tableName();
    const res = await options.reader.send(
      new BatchGetItemCommand({
        RequestItems: { [table]: { Keys: keys.map((k) => marshall(k)), ConsistentRead: true } },
      }),
    );
    if (Object.keys(res.UnprocessedKeys ?? {}).length > 0) throw new Error('write meter: unprocessed keys');
    return new Map((res.Responses?.[table] ?? []).map((item) => [keyOf(item), item]));
  };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (paused) return next(args);
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      const input = args.input as Record<string, any>;
      const named = namedWrites(command, input);
      const before = await images(named.map((w) => w.key));
      const record: MeteredRequest = {
        command,
        transactional: command === 'TransactWriteItems',
        failed: false,
        writes: [],
        reads: [],
      };
      recorded.push(record);
      try {
        const result = await next(args);
        record.reads = readsOf(command, input, result.output as Record<string, any>, options.indexes);
        return result;
      } catch (error) {
        record.failed = true;
        throw error;
      } finally {
        const after = await images(named.map((w) => w.key));
        record.writes = named.map((w) => {
          const id = `${w.key.pk}\u0000${w.key.sk}`;
          const old = before.get(id);
          const now = after.get(id);
          const bytes = Math.max(old ? itemBytes(old) : 0, now ? itemBytes(now) : 0);
          return {
            action: w.action,
            ...w.key,
            bytes,
            wcu: writeUnits(bytes, record.transactional),
            index: options.indexes
              .flatMap((index) => indexWrites(old, now, index))
              .map((entry) => ({ ...entry, wcu: writeUnits(entry.bytes, false) })),
          };
        });
      }
    },
    { step: 'initialize', name: MIDDLEWARE_NAME },
  );
  return {
    requests: () => [...recorded],
    reset: () => {
      recorded = [];
    },
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
    },
    uninstall: () => {
      client.middlewareStack.remove(MIDDLEWARE_NAME);
    },
  };
}

const keyOf = (item: Item) => `${item.pk?.S}\u0000${item.sk?.S}`;
const keyFrom = (attributes: Record<string, any>) => ({ pk: String(attributes.pk), sk: String(attributes.sk) });

/** The items a write command names (the document client's input: attribute values unmarshalled). */
function namedWrites(command: string, input: Record<string, any>): NamedWrite[] {
  switch (command) {
    case 'PutItem':
      return [{ action: 'Put', key: keyFrom(input.Item) }];
    case 'UpdateItem':
      return [{ action: 'Update', key: keyFrom(input.Key) }];
    case 'DeleteItem':
      return [{ action: 'Delete', key: keyFrom(input.Key) }];
    case 'TransactWriteItems':
      return (input.TransactItems as Array<Record<string, any>>).map((t) => {
        const action = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((a) => t[a])!;
        return { action, key: keyFrom(action === 'Put' ? t.Put.Item : t[action].Key) };
      });
    case 'BatchWriteItem':
      return Object.values(input.RequestItems as Record<string, Array<Record<string, any>>>)
        .flat()
        .map((r) =>
          r.PutRequest
            ? { action: 'Put' as const, key: keyFrom(r.PutRequest.Item) }
            : { action: 'Delete' as const, key: keyFrom(r.DeleteRequest.Key) },
        );
    default:
      return [];
  }
}

/** Reads sized from what came back: per item for Get and BatchGet, per page for Query and Scan. */
function readsOf(
  command: string,
  input: Record<string, any>,
  output: Record<string, any>,
  indexes: readonly KeysOnlyIndex[],
): MeteredRead[] {
  const consistent = input.ConsistentRead === true;
  const size = (item: Record<string, unknown>) => itemBytes(marshall(item, { removeUndefinedValues: true }));
  const perItem = (items: Array<Record<string, unknown>>, strongly: boolean) =>
    items.map((item) => {
      const bytes = size(item);
      return { partition: String(item.pk), bytes, rcu: readUnits(bytes, strongly) };
    });
  switch (command) {
    case 'GetItem':
      return output.Item ? perItem([output.Item], consistent) : [];
    case 'BatchGetItem':
      return Object.entries(output.Responses ?? {}).flatMap(([table, items]) =>
        perItem(items as Array<Record<string, unknown>>, input.RequestItems?.[table]?.ConsistentRead === true),
      );
    case 'TransactGetItems':
      return perItem(
        (output.Responses ?? []).flatMap((r: { Item?: Record<string, unknown> }) => (r.Item ? [r.Item] : [])),
        true,
      );
    case 'Query':
    case 'Scan': {
      const items = (output.Items ?? []) as Array<Record<string, unknown>>;
      const index = indexes.find((i) => i.name === input.IndexName);
      // The partition a Query reads is the first value its key condition names.
      const named = Object.values(input.ExpressionAttributeValues ?? {})[0];
      const partition = String(items[0]?.[index?.partitionKey ?? 'pk'] ?? named ?? 'table');
      const bytes = items.reduce((n, item) => n + size(item), 0);
      return [{ partition, ...(index ? { index: index.name } : {}), bytes, rcu: readUnits(bytes, consistent) }];
    }
    default:
      return [];
  }
}
