/**
 * Write-offs (SPEC v2): units leave stock unshipped, all or nothing, never below zero, each
 * with its movement in the ledger. One transaction: the idempotency record, one guarded update
 * per product (its lines' takes from each lot), and the ledger's write (one movement per line and lot).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../commons/dynamodb.js';
import type { StockTake } from '../domain/lots.js';
import type { StockedProduct } from '../domain/model.js';
import { productsSeenBy, writeOffUnits } from './items/product-item.js';
import { putWriteOff, type WriteOffRecord, writeOffFromItem } from './items/write-off-item.js';
import { writeOffKey } from './keys.js';
import { ledgerWrite } from './ledger.js';
import { commit, MAX_TRANSACTION_ITEMS } from './transactions.js';

export type { WriteOffRecord };

/**
 * Lines (after merging) one write-off may hold: each names at most one product, one item each
 * beside the record and the ledger's write, so the whole write-off is one transaction (all or
 * nothing without a lease or compensation). SPEC allows 1000 lines; see docs/design.md.
 */
export const WRITE_OFF_LINES = MAX_TRANSACTION_ITEMS - 2;

export type WriteOffOutcome =
  | { kind: 'written-off' }
  /** The key was used before: nothing changed. */
  | { kind: 'exists' }
  /** Products not in the catalog: nothing changed. */
  | { kind: 'unknown'; productIds: number[] }
  /** Fewer units on hand than the lines take: nothing changed; the products as they are now. */
  | { kind: 'short'; seen: Map<number, StockedProduct> };

/**
 * `productTakes`: per product, what its update takes from each lot (the lines' takes merged);
 * each take is guarded, so a plan made on stale lots fails whole (`short`, with the products).
 * `lotsSeen`: the `lots_rev` of each product taken from first expired first, as planned on.
 */
export async function commitWriteOff(
  record: WriteOffRecord,
  productTakes: Map<number, StockTake[]>,
  lotsSeen: Map<number, number>,
): Promise<WriteOffOutcome> {
  if (record.lines.length > WRITE_OFF_LINES) throw new Error(`a write-off holds at most ${WRITE_OFF_LINES} lines`);
  const ledger = ledgerWrite(
    record.lines.flatMap((l) =>
      l.takes.map((t) => ({
        productId: l.product_id,
        lot: t.lot,
        quantity: -t.quantity,
        cause: { kind: 'write_off' as const, reason: l.reason, writeOffKey: record.key },
      })),
    ),
    record.createdAt,
  );
  const products = [...productTakes];
  const result = await commit([
    putWriteOff(record),
    ...products.map(([id, takes]) => writeOffUnits(id, takes, ledger.markFor(id), lotsSeen.get(id))),
    ledger.item,
  ]);
  if (result.ok) return { kind: 'written-off' };
  const { cancelled } = result;
  if (cancelled.failedAt(0)) return { kind: 'exists' };
  // A failed product without its old image is not in the catalog; with it, too few units.
  const unknown = products.filter((_, i) => cancelled.failedAt(i + 1) && !cancelled.oldItems.has(i + 1));
  if (unknown.length > 0) return { kind: 'unknown', productIds: unknown.map(([id]) => id) };
  return { kind: 'short', seen: productsSeenBy(cancelled) };
}

export async function getWriteOff(key: string): Promise<WriteOffRecord | undefined> {
  const res = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: writeOffKey(key), ConsistentRead: true }),
  );
  return res.Item ? writeOffFromItem(res.Item) : undefined;
}
