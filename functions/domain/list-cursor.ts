/**
 * Opaque list cursors that carry one non-negative integer (a product id, a ledger sequence): a
 * versioned prefix per list, the number in base64url. A cursor this service did not give, or one
 * of another list, is refused (422), never misread.
 */
import { InvalidValueError } from './errors.js';

export function numberCursor(prefix: string) {
  return {
    encode: (n: number) => prefix + Buffer.from(String(n)).toString('base64url'),
    decode(cursor: string): number {
      const text = cursor.startsWith(prefix)
        ? Buffer.from(cursor.slice(prefix.length), 'base64url').toString('utf8')
        : '';
      const n = /^(0|[1-9][0-9]{0,15})$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isSafeInteger(n)) {
        throw new InvalidValueError('the cursor is not one this service gave', [
          { path: 'cursor', message: 'is not a cursor of this list' },
        ]);
      }
      return n;
    },
  };
}
