/**
 * ProductItem: PRODUCT#<id> / PRODUCT. Catalog data, stock and audit counters of one product.
 * Every stock change below is an UpdateItem with a condition; together the conditions keep
 * on_hand >= 0, restocked === on_hand + shipped, and "no stock on hand while an order waits"
 * outside of a restock's drain.
 */
import type { LineAllocation } from '../../domain/allocation.js';
import type { StockedProduct } from '../../domain/model.js';
import { tableName } from '../../commons/dynamodb.js';
import { attentionAttributes, CATALOG_PARTITION, catalogSortKey, productKey } from '../keys.js';
import type { TransactionCancelled, TransactionItem } from '../transactions.js';

export interface CatalogEntry {
  product_id: number;
  product_name: string;
  mass_g: number;
}

export function productFromItem(item: Record<string, unknown>): StockedProduct {
  return {
    product_id: Number(item.product_id),
    product_name: String(item.product_name),
    mass_g: Number(item.mass_g),
    rev: Number(item.rev ?? 0),
    on_hand: Number(item.on_hand ?? 0),
    backordered: Number(item.backordered ?? 0),
    restocked: Number(item.restocked ?? 0),
    shipped: Number(item.shipped ?? 0),
  };
}

/** A product with the sweeper's mark it carries, if any (the mark is cleared only as seen). */
export interface MarkedProduct {
  product: StockedProduct;
  attentionSk?: string;
}

export function markedProductFromItem(item: Record<string, unknown>): MarkedProduct {
  return {
    product: productFromItem(item),
    attentionSk: typeof item.attention_sk === 'string' ? item.attention_sk : undefined,
  };
}

/** The products whose guard failed in a cancelled transaction, as they are now (no extra read). */
export function productsSeenBy(cancelled: TransactionCancelled): Map<number, StockedProduct> {
  const seen = new Map<number, StockedProduct>();
  for (const item of cancelled.oldItems.values()) {
    if (item.sk === 'PRODUCT') {
      const product = productFromItem(item);
      seen.set(product.product_id, product);
    }
  }
  return seen;
}

/** Upsert: name and mass change, stock never does (SPEC: init_catalog never touches stock). */
export function upsertProduct(entry: CatalogEntry): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(entry.product_id),
      UpdateExpression:
        'SET product_id = :id, product_name = :name, mass_g = :mass, catalog_pk = :cpk, catalog_sk = :csk, ' +
        'on_hand = if_not_exists(on_hand, :zero), backordered = if_not_exists(backordered, :zero), ' +
        'restocked = if_not_exists(restocked, :zero), shipped = if_not_exists(shipped, :zero) ADD rev :one',
      ExpressionAttributeValues: {
        ':id': entry.product_id,
        ':name': entry.product_name,
        ':mass': entry.mass_g,
        ':cpk': CATALOG_PARTITION,
        ':csk': catalogSortKey(entry.product_id),
        ':zero': 0,
        ':one': 1,
      },
    },
  };
}

/** A product with a service-assigned id: the id must be new, or the caller picks another. */
export function createProduct(entry: CatalogEntry): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...productKey(entry.product_id),
        product_id: entry.product_id,
        product_name: entry.product_name,
        mass_g: entry.mass_g,
        catalog_pk: CATALOG_PARTITION,
        catalog_sk: catalogSortKey(entry.product_id),
        on_hand: 0,
        backordered: 0,
        restocked: 0,
        shipped: 0,
        rev: 1,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * Restocked units land on hand. The product is marked for the sweeper, due after `dueAt`, in
 * case the drain that must follow is cut short (SPEC rule 8).
 */
export function addRestockedUnits(productId: number, quantity: number, dueAt: string): TransactionItem {
  const key = productKey(productId);
  const attention = attentionAttributes(key.pk, dueAt);
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'ADD on_hand :q, restocked :q SET attention_pk = :apk, attention_sk = :ask',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':q': quantity, ':apk': attention.attention_pk, ':ask': attention.attention_sk },
    },
  };
}

/**
 * Restocked units land on hand where nobody waits: no drain follows, so no sweeper mark. The
 * guard is what makes that true; if an order waits after all, the restock fails whole and takes
 * the path with a drain (the product as it is now comes back for the retry's plan).
 */
export function addUnitsNobodyWaits(productId: number, quantity: number): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(productId),
      UpdateExpression: 'ADD on_hand :q, restocked :q',
      ConditionExpression: 'attribute_exists(pk) AND backordered = :zero',
      ExpressionAttributeValues: { ':q': quantity, ':zero': 0 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * One order line meets stock. Each kind carries the guard that makes the allocation it was
 * computed from still true at commit time; `rev` proves the mass used for packing is current.
 */
export function allocateToOrder(allocation: LineAllocation, rev: number): TransactionItem {
  const { product_id, ship, backorder } = allocation;
  const values: Record<string, unknown> = { ':rev': rev, ':zero': 0 };
  let condition: string;
  const sets: string[] = [];
  switch (allocation.kind) {
    case 'ship-all':
      // Nobody waits and enough is on hand: stock never negative, no older order skipped.
      condition = 'on_hand >= :ship AND backordered = :zero AND rev = :rev';
      break;
    case 'ship-on-hand':
      // Takes exactly what is on hand, so nothing is left stranded next to the new backorder.
      condition = 'on_hand = :ship AND backordered = :zero AND rev = :rev';
      break;
    case 'wait':
      // Waiting is allowed only when nothing is on hand, or an older order already waits
      // (then stock on hand belongs to a running drain, which will reach this order too).
      condition = '(on_hand = :zero OR backordered > :zero) AND rev = :rev';
      break;
  }
  if (ship > 0) {
    values[':ship'] = ship;
    sets.push('on_hand = on_hand - :ship', 'shipped = shipped + :ship');
  }
  if (backorder > 0) {
    values[':back'] = backorder;
    sets.push('backordered = backordered + :back');
  }
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(product_id),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
      // A lost race returns the product as it is now, so the retry plans without reading it again.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * A drain gives `quantity` units on hand to waiting orders (one order's line, or the sum of a
 * batch of fills: one guard then covers the whole batch).
 */
export function fillBackorder(productId: number, quantity: number, rev: number, drainer: string): TransactionItem {
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(productId),
      UpdateExpression: 'SET on_hand = on_hand - :q, shipped = shipped + :q, backordered = backordered - :q',
      // Stock never negative: this condition is what guarantees it. `drainer` proves the drain
      // still holds the product's lease (one drain per product: plans are never undone).
      ConditionExpression: 'on_hand >= :q AND backordered >= :q AND rev = :rev AND drainer = :me',
      ExpressionAttributeValues: { ':q': quantity, ':rev': rev, ':me': drainer },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * The product's drain lease: one drain at a time fills its queue, until `until` (epoch ms), or
 * until it releases it. Taken only when there is work (units on hand and orders waiting), and
 * when free, expired, or already held by the same owner (a restock's replay takes over its dead
 * first request's leases). The product comes back either way, so the claim is also the read.
 */
export function claimDrainInput(productId: number, owner: string, until: number, now: number) {
  return {
    TableName: tableName(),
    Key: productKey(productId),
    UpdateExpression: 'SET drainer = :me, drain_until = :until',
    ConditionExpression:
      'on_hand > :zero AND backordered > :zero AND ' +
      '(attribute_not_exists(drainer) OR drainer = :me OR drain_until < :now)',
    ExpressionAttributeValues: { ':me': owner, ':until': until, ':now': now, ':zero': 0 },
    ReturnValues: 'ALL_NEW' as const,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/**
 * Gives the lease back. `ifSettled`: only when nothing is left to drain (nothing on hand, or
 * nobody waiting), so that work that arrived during the drain is never left behind by it; the
 * product comes back either way, so the release is also the drain's last read.
 */
export function releaseDrainInput(productId: number, owner: string, ifSettled: boolean) {
  return {
    TableName: tableName(),
    Key: productKey(productId),
    UpdateExpression: 'REMOVE drainer, drain_until',
    ConditionExpression: ifSettled ? 'drainer = :me AND (on_hand = :zero OR backordered = :zero)' : 'drainer = :me',
    ExpressionAttributeValues: ifSettled ? { ':me': owner, ':zero': 0 } : { ':me': owner },
    ReturnValues: 'ALL_NEW' as const,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}
