/**
 * Opaque list cursors that carry one non-negative integer (a product id, a ledger sequence) or one
 * key (an order's place in a list): a versioned prefix per list, the value in base64url. A cursor
 * this service did not give, or one of another list, is refused (422), never misread.
 */
import { InvalidValueError } from './errors.js';

const notOurs = () =>
  new InvalidValueError('the cursor is not one this service gave', [
    { path: 'cursor', message: 'is not a cursor of this list' },
  ]);

/** A cursor carrying a text that must match `shape` (anchored). */
export function textCursor(prefix: string, shape: RegExp) {
  return {
    encode: (text: string) => prefix + Buffer.from(text).toString('base64url'),
    decode(cursor: string): string {
      const text = cursor.startsWith(prefix)
        ? Buffer.from(cursor.slice(prefix.length), 'base64url').toString('utf8')
        : '';
      if (!shape.test(text)) throw notOurs();
      return text;
    },
  };
}

export function numberCursor(prefix: string) {
  return {
    encode: (n: number) => prefix + Buffer.from(String(n)).toString('base64url'),
    decode(cursor: string): number {
      const text = cursor.startsWith(prefix)
        ? Buffer.from(cursor.slice(prefix.length), 'base64url').toString('utf8')
        : '';
      const n = /^(0|[1-9][0-9]{0,15})$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(n)) throw notOurs();
      return n;
    },
  };
}
