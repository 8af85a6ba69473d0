/** The sweeper's to-do list: the sparse `attention` index, read by shard. */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import { attentionPartitions, waitingPartitions } from './keys.js';
import { ATTENTION_INDEX } from './table-definition.js';
import { isConditionFailure } from './transactions.js';

export interface AttentionEntry {
  pk: string;
  attentionSk: string;
}

/** Items whose marker is due at or before `nowIso` (the index is eventually consistent; the sweeper re-reads each). */
export async function dueAttention(nowIso: string, limit = 200): Promise<AttentionEntry[]> {
  const out: AttentionEntry[] = [];
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
    for (const item of res.Items ?? []) out.push({ pk: String(item.pk), attentionSk: String(item.attention_sk) });
  }
  return out;
}

/** Queue key of the oldest waiting order, or undefined when nobody waits. */
export async function oldestWaitingQueueKey(): Promise<string | undefined> {
  let oldest: string | undefined;
  for (const partition of waitingPartitions()) {
    const res = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: ATTENTION_INDEX.name,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': ATTENTION_INDEX.partitionKey },
        ExpressionAttributeValues: { ':p': partition },
        Limit: 1,
      }),
    );
    const key = res.Items?.[0]?.attention_sk as string | undefined;
    if (key && (!oldest || key < oldest)) oldest = key;
  }
  return oldest;
}

/** Clears a marker unless someone set a newer one meanwhile (then that one's owner clears it). */
export async function clearAttention(key: { pk: string; sk: string }, seenAttentionSk: string): Promise<void> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'REMOVE attention_pk, attention_sk',
        ConditionExpression: 'attention_sk = :seen',
        ExpressionAttributeValues: { ':seen': seenAttentionSk },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Moves a marker so the sweeper picks the item up now (a drain stopped by its time budget). */
export async function markDueNow(
  key: { pk: string; sk: string },
  attentionPk: string,
  attentionSk: string,
): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET attention_pk = :p, attention_sk = :s',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':p': attentionPk, ':s': attentionSk },
    }),
  );
}
