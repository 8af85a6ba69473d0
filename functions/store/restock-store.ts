/** Reads and small writes of restock idempotency records. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import { restockKey } from './keys.js';
import { partitionItems } from './query.js';
import { refFromItem, restockFromItem, type RestockRecord, type ShipmentRef } from './items/restock-item.js';
import { isConditionFailure } from './transactions.js';

/** The record and the shipments it caused, in one Query. */
export async function getRestock(key: string): Promise<{ record: RestockRecord; refs: ShipmentRef[] } | undefined> {
  let record: RestockRecord | undefined;
  const refs: ShipmentRef[] = [];
  for await (const item of partitionItems(restockKey(key).pk)) {
    if (item.sk === 'RESTOCK') record = restockFromItem(item);
    else refs.push(refFromItem(item));
  }
  return record ? { record, refs } : undefined;
}

/** Takes over a restock whose owner's lease ran out; false if someone else took it first. */
export async function takeOverRestock(key: string, expiredLease: number, newLease: number): Promise<boolean> {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: restockKey(key),
        UpdateExpression: 'SET lease_until = :new',
        ConditionExpression: 'lease_until = :old AND #s = :applying',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':new': newLease, ':old': expiredLease, ':applying': 'applying' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The answer is final: later replays return it. The sweeper no longer needs to look. */
export async function completeRestock(key: string, draining: boolean): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: restockKey(key),
      UpdateExpression: 'SET #s = :done, draining = :d REMOVE attention_pk, attention_sk',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':done': 'done', ':d': draining },
    }),
  );
}
