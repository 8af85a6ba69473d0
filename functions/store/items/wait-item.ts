/**
 * WaitItem: PRODUCT#<id> / WAIT#<queueKey>. One order waiting for one product. A strongly
 * consistent Query on the product's partition lists its queue oldest first, with no Scan and
 * no eventually consistent index in the way of FIFO.
 */
import type { QueueEntry } from '../../domain/allocation.js';
import { tableName } from '../../commons/dynamodb.js';
import { priorityOfQueueKey, waitingAttributes, waitKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';

export function waitFromItem(item: Record<string, unknown>): QueueEntry {
  return {
    product_id: Number(item.product_id),
    queueKey: String(item.queue_key),
    orderKey: String(item.order_key),
    priority: priorityOfQueueKey(String(item.queue_key)),
    remaining: Number(item.remaining),
  };
}

export function putWait(productId: number, queueKey: string, orderKey: string, quantity: number): TransactionItem {
  const key = waitKey(productId, queueKey);
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...key,
        ...waitingAttributes(key.pk, queueKey),
        product_id: productId,
        queue_key: queueKey,
        order_key: orderKey,
        remaining: quantity,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Fill `quantity` of the `remainingBefore` units the order waits for; the last unit removes the entry. */
export function fillWait(
  productId: number,
  queueKey: string,
  quantity: number,
  remainingBefore: number,
): TransactionItem {
  const Key = waitKey(productId, queueKey);
  // Conditioned on the remaining count read by the drain: two drains can never fill the same units.
  if (quantity === remainingBefore) {
    return {
      Delete: {
        TableName: tableName(),
        Key,
        ConditionExpression: 'remaining = :r',
        ExpressionAttributeValues: { ':r': remainingBefore },
      },
    };
  }
  return {
    Update: {
      TableName: tableName(),
      Key,
      UpdateExpression: 'SET remaining = remaining - :q',
      ConditionExpression: 'remaining = :r',
      ExpressionAttributeValues: { ':q': quantity, ':r': remainingBefore },
    },
  };
}
