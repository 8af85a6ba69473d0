/** BatchGetItem over any number of keys: 100 a call, unprocessed keys retried with backoff. */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import { chunk, sleep } from './transactions.js';

type Key = { pk: string; sk: string };

export async function batchGet(keys: Key[], consistent = true): Promise<Record<string, unknown>[]> {
  const table = tableName();
  const out: Record<string, unknown>[] = [];
  for (const part of chunk(dedupe(keys), 100)) {
    let pending: Key[] = part;
    for (let attempt = 0; pending.length > 0; attempt++) {
      const res = await documentClient().send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } } }),
      );
      out.push(...((res.Responses?.[table] ?? []) as Record<string, unknown>[]));
      pending = (res.UnprocessedKeys?.[table]?.Keys ?? []) as Key[];
      if (pending.length > 0) {
        if (attempt >= 8) throw new Error('BatchGetItem left keys unprocessed after 8 attempts');
        await sleep(Math.random() * 20 * 2 ** attempt);
      }
    }
  }
  return out;
}

function dedupe(keys: Key[]): Key[] {
  const seen = new Map<string, Key>();
  for (const k of keys) seen.set(`${k.pk}\u0000${k.sk}`, k);
  return [...seen.values()];
}
