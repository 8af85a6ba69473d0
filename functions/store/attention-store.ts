/**
 * The sweeper's to-do list: the sparse `attention` index, read by shard. Restocks, large orders
 * and products carry a mark due at a time; the sweeper finishes whatever is due.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import {
  attentionAttributes,
  attentionPartitions,
  LOT_PREFIX,
  ORDER_PREFIX,
  orderKeyOf,
  PRODUCT_PREFIX,
  productKey,
  RESTOCK_PREFIX,
  queueKeyTime,
  waitingPartitions,
} from './keys.js';
import { PRIORITIES, priorityRank } from '../domain/priority.js';
import { ATTENTION_INDEX } from './table-definition.js';
import { forEachConcurrently, isConditionFailure } from './transactions.js';

/** One piece of due work; `mark` is what the sweeper saw, so it clears only that mark. */
export type DueWork =
  | { kind: 'restock'; key: string; mark: string }
  | { kind: 'order'; orderKey: string; mark: string }
  | { kind: 'product'; productId: number; mark: string }
  /** A lot due to expire: its units are written off once it has. */
  | { kind: 'lot'; productId: number; lot: string; mark: string };

/**
 * Work whose mark is due at or before `nowIso`, at most `limit` per shard (the index is
 * eventually consistent: the sweeper re-reads each item before acting on it).
 */
export async function dueWork(nowIso: string, limit = 200): Promise<DueWork[]> {
  const out: DueWork[] = [];
  for (const partition of attentionPartitions()) {
    const res = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: ATTENTION_INDEX.name,
        KeyConditionExpression: '#p = :p AND #s <= :now',
        ExpressionAttributeNames: { '#p': ATTENTION_INDEX.partitionKey, '#s': ATTENTION_INDEX.sortKey },
        ExpressionAttributeValues: { ':p': partition, ':now': `${nowIso}#\uffff` },
        Limit: limit,
      }),
    );
    for (const item of res.Items ?? []) {
      const pk = String(item.pk);
      const mark = String(item.attention_sk);
      if (pk.startsWith(RESTOCK_PREFIX)) out.push({ kind: 'restock', key: pk.slice(RESTOCK_PREFIX.length), mark });
      else if (pk.startsWith(ORDER_PREFIX)) out.push({ kind: 'order', orderKey: pk.slice(ORDER_PREFIX.length), mark });
      else if (pk.startsWith(PRODUCT_PREFIX) && String(item.sk).startsWith(LOT_PREFIX)) {
        const lot = String(item.sk).slice(LOT_PREFIX.length);
        out.push({ kind: 'lot', productId: Number(pk.slice(PRODUCT_PREFIX.length)), lot, mark });
      } else if (pk.startsWith(PRODUCT_PREFIX)) {
        out.push({ kind: 'product', productId: Number(pk.slice(PRODUCT_PREFIX.length)), mark });
      }
    }
  }
  return out;
}

/**
 * Creation time (epoch ms) of the oldest waiting order, or undefined when nobody waits. The index
 * sorts by queue key (priority first), so each shard is read once per priority.
 */
export async function oldestWaitingSince(): Promise<number | undefined> {
  const firsts = await Promise.all(
    waitingPartitions().flatMap((partition) =>
      PRIORITIES.map(async (priority) => {
        const res = await documentClient().send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: ATTENTION_INDEX.name,
            KeyConditionExpression: '#p = :p AND begins_with(#s, :rank)',
            ExpressionAttributeNames: { '#p': ATTENTION_INDEX.partitionKey, '#s': ATTENTION_INDEX.sortKey },
            ExpressionAttributeValues: { ':p': partition, ':rank': `${priorityRank(priority)}#` },
            Limit: 1,
          }),
        );
        const key = res.Items?.[0]?.attention_sk as string | undefined;
        return key === undefined ? undefined : queueKeyTime(key);
      }),
    ),
  );
  const times = firsts.filter((t): t is number => t !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}

export const clearProductMark = (productId: number, seen: string) => clearMark(productKey(productId), seen);
export const clearOrderMark = (orderKey: string, seen: string) => clearMark(orderKeyOf(orderKey), seen);

/** Clears a mark unless someone set a newer one meanwhile (then that one's owner clears it). */
async function clearMark(key: { pk: string; sk: string }, seen: string): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'REMOVE attention_pk, attention_sk',
        ConditionExpression: 'attention_sk = :seen',
        ExpressionAttributeValues: { ':seen': seen },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** The drain's time budget is spent: the sweeper takes these products at its next run. */
export async function markProductsDueNow(productIds: number[]): Promise<void> {
  const now = new Date().toISOString();
  await forEachConcurrently(productIds, 16, async (id) => {
    const key = productKey(id);
    const mark = attentionAttributes(key.pk, now);
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET attention_pk = :p, attention_sk = :s',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':p': mark.attention_pk, ':s': mark.attention_sk },
      }),
    );
  });
}
