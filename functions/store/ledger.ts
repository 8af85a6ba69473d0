/**
 * The movement ledger's side of a stock write (SPEC v2): the WriteItem that holds the write's
 * movements, committed in the same transaction as the change, and the mark each changed
 * product's update carries (its `seq` advanced by its movements, `last_write` naming the item).
 * Numbering and `on_hand_after` come later from the stream (ledger-sequencer.ts), so stock
 * writes on one product never wait for each other's sequence numbers.
 */
import { randomUUID } from 'node:crypto';
import type { MovementCause } from '../domain/movement.js';
import type { LedgerMark } from './items/product-item.js';
import { putWrite, type WrittenMovement } from './items/write-item.js';
import type { TransactionItem } from './transactions.js';

export interface StockChange {
  productId: number;
  lot: string | null;
  /** Signed: + into stock, - out of it. */
  quantity: number;
  cause: MovementCause;
}

export interface LedgerWrite {
  /** The WriteItem, to commit with the products' updates. */
  item: TransactionItem;
  /** The mark for the update of a product this write changes. */
  markFor(productId: number): LedgerMark;
}

/** One write's movements, in the order given (a product's movements in its serve or line order). */
export function ledgerWrite(changes: StockChange[], at = new Date().toISOString()): LedgerWrite {
  const writeId = `${Date.now().toString(36)}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const counts = new Map<number, number>();
  for (const c of changes) counts.set(c.productId, (counts.get(c.productId) ?? 0) + 1);
  const movements: WrittenMovement[] = changes.map((c) => ({ ...c }));
  return {
    item: putWrite(writeId, at, movements),
    markFor: (productId) => {
      const movementCount = counts.get(productId);
      if (!movementCount) throw new Error(`write ${writeId} has no movement of product ${productId}`);
      return { writeId, movements: movementCount };
    },
  };
}
