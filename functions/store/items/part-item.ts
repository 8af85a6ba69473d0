/**
 * PartItem: ORDER#<orderKey> / PART#<requestId>#<id>. Units one transaction of a large change
 * took from stock for the order, not packed yet. A change too large for one transaction (a
 * 100-line order, a fill of many lines) allocates in parts, each recording its units here; one
 * last transaction packs every part of the request together (SPEC rule 2) and deletes them.
 * Units are never lost in between: conservation counts them as shipped from the part's commit.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { LotTake } from '../../domain/lots.js';
import type { Quantities } from '../../domain/model.js';
import { partKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';
import { lotsFromMap, lotsToMap } from './lot-lines.js';
import { fromQuantityMap, toQuantityMap } from './order-item.js';

export interface PartRecord {
  partId: string;
  requestId: string;
  units: Quantities;
  /**
   * The mass of each product when its units were taken: the part's transaction proved it current
   * (the product's `rev`), so packing the part later needs no product read and no guard.
   */
  masses: Quantities;
  /** The lots of the units, per product, first expired first (absent: the unnamed lot). */
  lots?: Map<number, LotTake[]>;
}

export function partFromItem(item: Record<string, unknown>): PartRecord {
  return {
    partId: String(item.part_id),
    requestId: String(item.request_id),
    units: fromQuantityMap(item.units),
    masses: fromQuantityMap(item.masses),
    ...(item.lots ? { lots: lotsFromMap(item.lots) } : {}),
  };
}

export function putPart(orderKey: string, part: PartRecord): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...partKey(orderKey, part.partId),
        part_id: part.partId,
        request_id: part.requestId,
        units: toQuantityMap(part.units),
        masses: toQuantityMap(part.masses),
        ...(part.lots ? { lots: lotsToMap(part.lots) } : {}),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Packing removes the part: its existence is the guard against packing it twice. */
export function deletePart(orderKey: string, partId: string): TransactionItem {
  return {
    Delete: {
      TableName: tableName(),
      Key: partKey(orderKey, partId),
      ConditionExpression: 'attribute_exists(pk)',
    },
  };
}
