/**
 * ProductItem: PRODUCT#<id> / PRODUCT. Catalog data, stock and audit counters of one product.
 * Every stock change below is an UpdateItem with a condition; together the conditions keep
 * on_hand >= 0, restocked === on_hand + shipped + written_off, the emergency reserve for emergencies, and,
 * outside of a restock's drain, "no unit on hand that the first waiting order could take".
 * `backordered` counts every waiting unit; `backordered_emergency` and `backordered_urgent`
 * those of the two higher priorities (routine is the rest), for the priority guards.
 */
import type { LineAllocation, ProductBatch } from '../../domain/allocation.js';
import {
  type LotName,
  type LotStock,
  MAX_LOTS_ON_HAND,
  type RestockedLot,
  type StockTake,
  takeHorizon,
} from '../../domain/lots.js';
import type { StockedProduct } from '../../domain/model.js';
import type { Priority } from '../../domain/priority.js';
import { tableName } from '../../commons/dynamodb.js';
import { attentionAttributes, CATALOG_PARTITION, catalogSortKey, productKey } from '../keys.js';
import type { TransactionCancelled, TransactionItem } from '../transactions.js';

export interface CatalogEntry {
  product_id: number;
  product_name: string;
  mass_g: number;
  /** Absent: a new product's is 0, an existing product's stays as it is. */
  emergency_reserve?: number;
}

export function productFromItem(item: Record<string, unknown>): StockedProduct {
  return {
    product_id: Number(item.product_id),
    product_name: String(item.product_name),
    mass_g: Number(item.mass_g),
    emergency_reserve: Number(item.emergency_reserve ?? 0),
    rev: Number(item.rev ?? 0),
    on_hand: Number(item.on_hand ?? 0),
    backordered: Number(item.backordered ?? 0),
    backordered_emergency: Number(item.backordered_emergency ?? 0),
    backordered_urgent: Number(item.backordered_urgent ?? 0),
    restocked: Number(item.restocked ?? 0),
    shipped: Number(item.shipped ?? 0),
    written_off: Number(item.written_off ?? 0),
    seq: Number(item.seq ?? 0),
    lots: lotsFromItem(item),
    lots_rev: Number(item.lots_rev ?? 0),
  };
}

/**
 * Stock per lot: the map `lot_q` holds the units on hand of each lot (they add up to `on_hand`),
 * and an attribute `exp:<lot>` the expiry of each lot on hand that expires. The unnamed lot's key
 * is `~`, which no lot name can be; it is always there, the others leave once empty (so the item
 * stays small: at most MAX_LOTS_ON_HAND named lots). Expiries are not a second map because a map
 * must exist before a path into it can be set, and an empty one does not survive the stream
 * (DynamoDB Local's Streams API drops it); nor pairs in `lot_q`, since a restock creates and adds
 * to a lot in one expression, and DynamoDB refuses overlapping paths in one update.
 */
const UNNAMED_LOT = '~';
const lotKey = (lot: LotName) => lot ?? UNNAMED_LOT;
const EXPIRY_PREFIX = 'exp:';

function lotsFromItem(item: Record<string, unknown>): LotStock[] {
  const quantities = (item.lot_q ?? { [UNNAMED_LOT]: item.on_hand ?? 0 }) as Record<string, unknown>;
  return Object.entries(quantities).map(([key, quantity]) => {
    const expiry = item[`${EXPIRY_PREFIX}${key}`];
    return {
      lot: key === UNNAMED_LOT ? null : key,
      quantity: Number(quantity),
      expiresAt: typeof expiry === 'string' ? expiry : null,
    };
  });
}

/** The parts of one product update that take units from its lots (placeholders `#<p><i>`, `:<p><i>`). */
interface ExpressionParts {
  sets: string[];
  removes: string[];
  conditions: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * Takes from lots, each guarded at commit: never more than the lot holds (an emptying take
 * finds exactly what it planned, and removes the lot; any other take of a named lot finds more
 * than it takes), and never from a lot that expires before
 * `horizon` (rule 10). Item builders pass the horizon of the moment they build the item, right
 * before it is sent, so however long ago the plan was made, a lot that expired since fails its
 * condition and the write is planned again. Without a horizon (a write-off, which may take
 * expired units), no expiry is checked.
 *
 * `lotsRev`: the takes were planned first expired first among the lots then on hand; the guard
 * that no lot was restocked since (a new one may expire before those taken) keeps them so at
 * commit (rule 9). Undefined: the takes name their lots and need no order among them.
 */
function lotTakes(
  takes: readonly StockTake[],
  horizon: string | undefined,
  lotsRev: number | undefined,
): ExpressionParts {
  const parts: ExpressionParts = { sets: [], removes: [], conditions: [], names: {}, values: {} };
  if (takes.length > 0 && lotsRev !== undefined) {
    if (lotsRev === 0) parts.conditions.push('attribute_not_exists(lots_rev)');
    else {
      parts.conditions.push('lots_rev = :lotsrev');
      parts.values[':lotsrev'] = lotsRev;
    }
  }
  takes.forEach((t, i) => {
    const [name, value, expiry] = [`#t${i}`, `:t${i}`, `#x${i}`];
    parts.names[name] = lotKey(t.lot);
    parts.values[value] = t.quantity;
    if (t.empties) {
      parts.conditions.push(`lot_q.${name} = ${value}`);
      parts.removes.push(`lot_q.${name}`);
    } else {
      // A named lot is never left at 0: a take planned as not emptying it (on a hint that saw
      // more) must find more than it takes, else it is planned again and empties it. The
      // unnamed lot stays in the map at 0.
      parts.conditions.push(`lot_q.${name} ${t.lot === null ? '>=' : '>'} ${value}`);
      parts.sets.push(`lot_q.${name} = lot_q.${name} - ${value}`);
    }
    // An emptied lot's expiry leaves with it; a take checks it unless it may take expired units.
    if (t.expiresAt !== null && (t.empties || horizon !== undefined)) {
      parts.names[expiry] = `${EXPIRY_PREFIX}${lotKey(t.lot)}`;
      if (t.empties) parts.removes.push(expiry);
      if (horizon !== undefined) {
        parts.conditions.push(`${expiry} > :horizon`);
        parts.values[':horizon'] = horizon;
      }
    }
  });
  return parts;
}

/** Restocked units land in their lots; a new named lot gets its expiry, if it has one. */
function lotAdds(lots: readonly RestockedLot[]): ExpressionParts {
  const parts: ExpressionParts = { sets: [], removes: [], conditions: [], names: {}, values: {} };
  const named = lots.filter((l) => l.lot !== null).length;
  lots.forEach((l, i) => {
    const [name, value] = [`#r${i}`, `:r${i}`];
    parts.names[name] = lotKey(l.lot);
    parts.values[value] = l.quantity;
    parts.values[':zero'] = 0;
    parts.sets.push(`lot_q.${name} = if_not_exists(lot_q.${name}, :zero) + ${value}`);
    if (l.expiresAt !== null) {
      parts.names[`#x${i}`] = `${EXPIRY_PREFIX}${lotKey(l.lot)}`;
      parts.sets.push(`#x${i} = :e${i}`);
      parts.values[`:e${i}`] = l.expiresAt;
    }
    if (l.lot !== null) {
      // At most MAX_LOTS_ON_HAND named lots on hand (counted as if each of this restock's were new).
      parts.conditions.push(`(attribute_exists(lot_q.${name}) OR size(lot_q) <= :lotcap)`);
      parts.values[':lotcap'] = MAX_LOTS_ON_HAND + 1 - named;
    }
  });
  return parts;
}

const NO_PARTS: ExpressionParts = { sets: [], removes: [], conditions: [], names: {}, values: {} };

/** `SET a, b REMOVE c` from the parts of an update. */
function updateExpression(sets: string[], removes: string[], add = ''): string {
  return [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    add,
  ]
    .filter((x) => x !== '')
    .join(' ');
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

/**
 * Upsert: name, mass and (when given) the reserve change, stock never does (SPEC: init_catalog
 * never touches stock). `rev` grows, so every plan made on the old mass or reserve fails its guard.
 */
export function upsertProduct(entry: CatalogEntry): TransactionItem {
  const reserve = entry.emergency_reserve === undefined ? 'if_not_exists(emergency_reserve, :zero)' : ':reserve';
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(entry.product_id),
      UpdateExpression:
        'SET product_id = :id, product_name = :name, mass_g = :mass, catalog_pk = :cpk, catalog_sk = :csk, ' +
        `emergency_reserve = ${reserve}, ` +
        'on_hand = if_not_exists(on_hand, :zero), backordered = if_not_exists(backordered, :zero), ' +
        'backordered_emergency = if_not_exists(backordered_emergency, :zero), ' +
        'backordered_urgent = if_not_exists(backordered_urgent, :zero), ' +
        'restocked = if_not_exists(restocked, :zero), shipped = if_not_exists(shipped, :zero), ' +
        'written_off = if_not_exists(written_off, :zero), seq = if_not_exists(seq, :zero), ' +
        'lot_q = if_not_exists(lot_q, :lots) ADD rev :one',
      ExpressionAttributeValues: {
        ':id': entry.product_id,
        ':name': entry.product_name,
        ':mass': entry.mass_g,
        ':cpk': CATALOG_PARTITION,
        ':csk': catalogSortKey(entry.product_id),
        ':zero': 0,
        ':one': 1,
        ':lots': { [UNNAMED_LOT]: 0 },
        ...(entry.emergency_reserve === undefined ? {} : { ':reserve': entry.emergency_reserve }),
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
        emergency_reserve: entry.emergency_reserve ?? 0,
        on_hand: 0,
        backordered: 0,
        backordered_emergency: 0,
        backordered_urgent: 0,
        restocked: 0,
        shipped: 0,
        written_off: 0,
        seq: 0,
        lot_q: { [UNNAMED_LOT]: 0 },
        rev: 1,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/**
 * The ledger's mark on a stock write (SPEC v2 "movement ledger"): `seq` grows by the write's
 * movements, atomically and in commit order, and `last_write` names the WriteItem committed in
 * the same transaction that holds them. The table's stream then carries each change of this
 * item, with its units on hand before and after, to the sequencer that lists the movements
 * (store/ledger-sequencer.ts). No condition on `seq`: concurrent writers never fail on it.
 */
export interface LedgerMark {
  writeId: string;
  /** This product's movements in the write. */
  movements: number;
}

const LEDGER_SET = 'last_write = :write';
const ledgerValues = (mark: LedgerMark) => ({ ':write': mark.writeId, ':moves': mark.movements });

/**
 * Restocked units land on hand, in their lots. The product is marked for the sweeper, due after
 * `dueAt`, in case the drain that must follow is cut short (SPEC rule 8). `writtenOff`: units of
 * a later part of the restock that arrive and are written off at once (domain `planLaterPart`):
 * restocked and written off in the same update, never on hand.
 */
export function addRestockedUnits(
  productId: number,
  lots: readonly RestockedLot[],
  dueAt: string,
  mark: LedgerMark,
  writtenOff = 0,
): TransactionItem {
  const key = productKey(productId);
  const attention = attentionAttributes(key.pk, dueAt);
  return restockUpdate(productId, lots, mark, writtenOff, {
    set: 'attention_pk = :apk, attention_sk = :ask',
    condition: 'attribute_exists(pk)',
    values: { ':apk': attention.attention_pk, ':ask': attention.attention_sk },
  });
}

/**
 * Restocked units land on hand where nobody waits: no drain follows, so no sweeper mark. The
 * guard is what makes that true; if an order waits after all, the restock fails whole and takes
 * the path with a drain (the product as it is now comes back for the retry's plan).
 */
export function addUnitsNobodyWaits(
  productId: number,
  lots: readonly RestockedLot[],
  mark: LedgerMark,
): TransactionItem {
  return restockUpdate(productId, lots, mark, 0, {
    condition: 'attribute_exists(pk) AND backordered = :zero',
    values: { ':zero': 0 },
  });
}

function restockUpdate(
  productId: number,
  lots: readonly RestockedLot[],
  mark: LedgerMark,
  writtenOff: number,
  extra: { set?: string; condition: string; values: Record<string, unknown> },
): TransactionItem {
  const adds = lotAdds(lots);
  const quantity = lots.reduce((n, l) => n + l.quantity, 0);
  const written = writtenOff > 0 ? { add: ', written_off :w', values: { ':w': writtenOff } } : { add: '', values: {} };
  // Units in a named lot may come before lots a concurrent plan takes: its guard must see them
  // (lotTakes). The unnamed lot is last of all, so units into it change no plan's order.
  if (lots.some((l) => l.lot !== null)) {
    adds.sets.push('lots_rev = if_not_exists(lots_rev, :lotsrev0) + :lotsrev1');
    Object.assign(adds.values, { ':lotsrev0': 0, ':lotsrev1': 1 });
  }
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(productId),
      UpdateExpression: `${updateExpression([...adds.sets, LEDGER_SET, ...(extra.set ? [extra.set] : [])], [])} ADD on_hand :q, restocked :r, seq :moves${written.add}`,
      ConditionExpression: [extra.condition, ...adds.conditions].join(' AND '),
      // Every unit of the product may be written off at once: then no lot is named.
      ...(Object.keys(adds.names).length > 0 ? { ExpressionAttributeNames: adds.names } : {}),
      ExpressionAttributeValues: {
        ':q': quantity,
        ':r': quantity + writtenOff,
        ...written.values,
        ...adds.values,
        ...extra.values,
        ...ledgerValues(mark),
      },
      // A product refused for its lots comes back as it is; an unknown product comes back empty.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * Units leave stock without being shipped (SPEC v2 write-offs), from the lots the takes name.
 * Stock never negative: each take's condition (and `on_hand >= :q`) is what guarantees it,
 * whatever the plan saw; a failure returns the product as it is now. A write-off may take
 * expired units, so its takes carry no expiry condition. `lotsRev`: the lots seen by a plan that
 * took first expired first (undefined when every take names its lot).
 */
export function writeOffUnits(
  productId: number,
  takes: readonly StockTake[],
  mark: LedgerMark,
  lotsRev?: number,
): TransactionItem {
  const quantity = takes.reduce((n, t) => n + t.quantity, 0);
  const lots = lotTakes(takes, undefined, lotsRev);
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(productId),
      UpdateExpression: updateExpression(
        ['on_hand = on_hand - :q', 'written_off = written_off + :q', LEDGER_SET, 'seq = seq + :moves', ...lots.sets],
        lots.removes,
      ),
      ConditionExpression: ['on_hand >= :q', ...lots.conditions].join(' AND '),
      ExpressionAttributeNames: lots.names,
      ExpressionAttributeValues: { ':q': quantity, ...lots.values, ...ledgerValues(mark) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * The named lot has no units on hand (a named lot leaves `lot_q` when emptied): a recall that
 * found none, or the sweeper clearing an expired lot's mark, proves it, else a restock committed
 * between its read and its write would leave units on hand in a recalled lot, or in an expired
 * lot the sweeper no longer looks at. A failure returns the product as it is now.
 */
export function lotHasNoUnits(productId: number, lot: string): TransactionItem {
  return {
    ConditionCheck: {
      TableName: tableName(),
      Key: productKey(productId),
      ConditionExpression: 'attribute_not_exists(lot_q.#lot)',
      ExpressionAttributeNames: { '#lot': lotKey(lot) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** "No order of this priority or a higher one waits", and its negation, as conditions. */
const WAITING_AT_OR_ABOVE: Record<Priority, { none: string; some: string }> = {
  emergency: { none: 'backordered_emergency = :zero', some: 'backordered_emergency > :zero' },
  urgent: {
    none: 'backordered_emergency = :zero AND backordered_urgent = :zero',
    some: '(backordered_emergency > :zero OR backordered_urgent > :zero)',
  },
  routine: { none: 'backordered = :zero', some: 'backordered > :zero' },
};

/** The counter of units waiting for orders of this priority, beside the total (routine has none). */
const WAITING_COUNTER: Record<Priority, string | undefined> = {
  emergency: 'backordered_emergency',
  urgent: 'backordered_urgent',
  routine: undefined,
};

/**
 * One order line meets stock. Each kind carries the guard that makes the allocation it was
 * computed from still true at commit time; `rev` proves the mass used for packing is current,
 * and the reserve the floor was computed from (a catalog upsert changes both and `rev`).
 */
export function allocateToOrder(allocation: LineAllocation, rev: number, mark: LedgerMark): TransactionItem {
  const { product_id, ship, backorder, priority, floor } = allocation;
  const lots = ship > 0 ? lotTakes(allocation.takes, takeHorizon(), allocation.lotsRev) : NO_PARTS;
  const values: Record<string, unknown> = { ':rev': rev, ':zero': 0 };
  const waiting = WAITING_AT_OR_ABOVE[priority];
  let condition: string;
  const sets: string[] = [];
  switch (allocation.kind) {
    case 'ship-all':
      // Nobody of this priority or higher waits and enough is on hand above the floor: stock
      // never negative, the reserve left to emergencies, no order of the same priority skipped.
      condition = `on_hand >= :need AND ${waiting.none} AND rev = :rev`;
      values[':need'] = ship + floor;
      break;
    case 'ship-on-hand':
      // Takes exactly what is above the floor, so nothing usable is left stranded next to the new backorder.
      condition = `on_hand = :need AND ${waiting.none} AND rev = :rev`;
      values[':need'] = ship + floor;
      break;
    case 'wait':
      // Waiting is allowed only when nothing above the floor is on hand, or an order of this
      // priority or a higher one already waits (then stock on hand is a running drain's to give).
      condition = `(on_hand <= :floor OR ${waiting.some}) AND rev = :rev`;
      values[':floor'] = floor;
      break;
  }
  if (ship > 0) {
    Object.assign(values, { ':ship': ship, ...ledgerValues(mark) });
    sets.push('on_hand = on_hand - :ship', 'shipped = shipped + :ship', LEDGER_SET, 'seq = seq + :moves');
  }
  if (backorder > 0) {
    values[':back'] = backorder;
    sets.push('backordered = backordered + :back');
    const counter = WAITING_COUNTER[priority];
    if (counter) sets.push(`${counter} = ${counter} + :back`);
  }
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(product_id),
      UpdateExpression: updateExpression([...sets, ...lots.sets], lots.removes),
      ConditionExpression: [condition, ...lots.conditions].join(' AND '),
      ...(Object.keys(lots.names).length > 0 ? { ExpressionAttributeNames: lots.names } : {}),
      ExpressionAttributeValues: { ...values, ...lots.values },
      // A lost race returns the product as it is now, so the retry plans without reading it again.
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * A cancelled order stops waiting for `quantity` units. Nothing on hand moves; the counters the
 * priority guards read go down with the queue entry removed in the same transaction.
 */
export function cancelWaiting(productId: number, quantity: number, priority: Priority): TransactionItem {
  const counter = WAITING_COUNTER[priority];
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(productId),
      UpdateExpression: `SET backordered = backordered - :q${counter ? `, ${counter} = ${counter} - :q` : ''}`,
      ConditionExpression: counter ? `backordered >= :q AND ${counter} >= :q` : 'backordered >= :q',
      ExpressionAttributeValues: { ':q': quantity },
    },
  };
}

/**
 * A drain gives units on hand to waiting orders (one order's line, or a batch of fills: one
 * guard then covers the whole batch).
 */
export function fillBackorder(batch: ProductBatch, rev: number, drainer: string, mark: LedgerMark): TransactionItem {
  const lots = lotTakes(batch.takes, takeHorizon(), batch.lotsRev);
  const values: Record<string, unknown> = {
    ':q': batch.quantity,
    ':need': batch.need,
    ':rev': rev,
    ':me': drainer,
    ...ledgerValues(mark),
  };
  const sets = [
    'on_hand = on_hand - :q',
    'shipped = shipped + :q',
    'backordered = backordered - :q',
    LEDGER_SET,
    'seq = seq + :moves',
  ];
  // Stock never negative and the reserve kept for emergencies: `need` is what guarantees it.
  // `drainer` proves the drain still holds the product's lease (one drain per product).
  const conditions = ['on_hand >= :need', 'backordered >= :q', 'rev = :rev', 'drainer = :me'];
  for (const [counter, name, quantity, pinned] of [
    ['backordered_emergency', 'e', batch.emergency, batch.pinEmergency],
    ['backordered_urgent', 'u', batch.urgent, batch.pinUrgent],
  ] as const) {
    if (quantity > 0) {
      sets.push(`${counter} = ${counter} - :${name}`);
      values[`:${name}`] = quantity;
    }
    // Lower priorities are filled only if no order of a higher one began waiting since the plan.
    if (pinned !== undefined) {
      conditions.push(`${counter} = :${name}pin`);
      values[`:${name}pin`] = pinned;
    } else if (quantity > 0) {
      conditions.push(`${counter} >= :${name}`);
    }
  }
  return {
    Update: {
      TableName: tableName(),
      Key: productKey(batch.product_id),
      UpdateExpression: updateExpression([...sets, ...lots.sets], lots.removes),
      ConditionExpression: [...conditions, ...lots.conditions].join(' AND '),
      ...(Object.keys(lots.names).length > 0 ? { ExpressionAttributeNames: lots.names } : {}),
      ExpressionAttributeValues: { ...values, ...lots.values },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** The product has drain work (see domain `hasDrainWork`), and its negation. */
const HAS_WORK =
  'on_hand > :zero AND (backordered_emergency > :zero OR (backordered > :zero AND on_hand > emergency_reserve))';
const SETTLED =
  'on_hand = :zero OR (backordered_emergency = :zero AND (backordered = :zero OR on_hand <= emergency_reserve))';

/**
 * The product's drain lease: one drain at a time fills its queue, until `until` (epoch ms), or
 * until it releases it. Taken only when there is work (a unit the first waiting order may take),
 * and when free, expired, or already held by the same owner (a restock's replay takes over its
 * dead first request's leases). The product comes back either way, so the claim is also the read.
 */
export function claimDrainInput(productId: number, owner: string, until: number, now: number) {
  return {
    TableName: tableName(),
    Key: productKey(productId),
    UpdateExpression: 'SET drainer = :me, drain_until = :until',
    ConditionExpression: `${HAS_WORK} AND (attribute_not_exists(drainer) OR drainer = :me OR drain_until < :now)`,
    ExpressionAttributeValues: { ':me': owner, ':until': until, ':now': now, ':zero': 0 },
    ReturnValues: 'ALL_NEW' as const,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/** What a drain saw of a product whose units on hand are not all usable. */
export interface UnusableSeen {
  onHand: number;
  usable: number;
}

/**
 * Gives the lease back. `ifSettled`: only when nothing is left to drain, so that work that
 * arrived during the drain is never left behind by it; the product comes back either way, so
 * the release is also the drain's last read.
 */
export function releaseDrainInput(productId: number, owner: string, ifSettled: boolean, seen?: UnusableSeen) {
  // Units on hand that are not usable (expired lots not yet written off) make the stored counters
  // look unsettled: then "settled" is what the drain saw, as long as nothing was restocked since.
  const settled = seen
    ? `(${SETTLED}) OR (on_hand = :seen${
        seen.usable > 0
          ? ' AND backordered_emergency = :zero AND (backordered = :zero OR emergency_reserve >= :usable)'
          : ''
      })`
    : SETTLED;
  return {
    TableName: tableName(),
    Key: productKey(productId),
    UpdateExpression: 'REMOVE drainer, drain_until',
    ConditionExpression: ifSettled ? `drainer = :me AND (${settled})` : 'drainer = :me',
    ExpressionAttributeValues: ifSettled
      ? {
          ':me': owner,
          ':zero': 0,
          ...(seen ? { ':seen': seen.onHand } : {}),
          ...(seen && seen.usable > 0 ? { ':usable': seen.usable } : {}),
        }
      : { ':me': owner },
    ReturnValues: 'ALL_NEW' as const,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}
