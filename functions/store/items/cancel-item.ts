/**
 * CancelItem: ORDER#<orderKey> / CANCEL#<n>. The units part n of a cancellation cancelled, per
 * product. A cancellation of more waiting lines than one transaction holds goes in parts; the
 * order item counts them (`cancel_parts`), which is each part's guard, and the units live here
 * so that no expression grows with the order's lines.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { Quantities } from '../../domain/model.js';
import { cancelKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';
import { fromQuantityMap, toQuantityMap } from './order-item.js';

export const unitsFromCancelItem = (item: Record<string, unknown>): Quantities => fromQuantityMap(item.units);

export function putCancelPart(orderKey: string, part: number, units: Quantities): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...cancelKey(orderKey, part), units: toQuantityMap(units) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
