/**
 * Lots and expiry (SPEC v2 "Lots and expiry", rules 9 and 10), pure: which lot a unit comes
 * from, which units are usable, and which restock lines a lot's history refuses.
 *
 * Times are compared as instants. The store keeps every `expires_at` as a UTC ISO string with
 * milliseconds (`normalizeExpiry`), so that the same comparison can be a string comparison in a
 * DynamoDB condition at commit time (a lot that expires between planning and commit is never
 * taken: its take's condition fails).
 */

/** `lot` as SPEC writes it: null is the product's unnamed lot, which never expires. */
export type LotName = string | null;

export interface LotStock {
  lot: LotName;
  /** Units of the lot on hand. */
  quantity: number;
  /** UTC ISO with milliseconds; null: never expires. */
  expiresAt: string | null;
  /** Recalled lots are written off at once and never take units again. */
  recalled?: boolean;
}

/** An RFC 3339 date-time as the store keeps it (UTC, milliseconds), or undefined if it is not one. */
export function normalizeExpiry(text: string): string | undefined {
  // RFC 3339 requires the offset (`Z` or +hh:mm); Date.parse alone would take local times too.
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** Whether a lot's units may still be shipped at `now` (ISO): never at or after its expiry (rule 10). */
export function isUsable(lot: Pick<LotStock, 'expiresAt' | 'recalled'>, now: string): boolean {
  return !lot.recalled && (lot.expiresAt === null || now < lot.expiresAt);
}

/**
 * Rule 9's order: lots that expire first come first; lots that never expire after every lot that
 * does, the unnamed lot last of all; ties by lot name.
 */
export function fefoCompare(a: Pick<LotStock, 'lot' | 'expiresAt'>, b: Pick<LotStock, 'lot' | 'expiresAt'>): number {
  const rank = (l: Pick<LotStock, 'lot' | 'expiresAt'>) => (l.expiresAt !== null ? 0 : l.lot !== null ? 1 : 2);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a.expiresAt !== null && b.expiresAt !== null && a.expiresAt !== b.expiresAt) {
    return a.expiresAt < b.expiresAt ? -1 : 1;
  }
  const [x, y] = [a.lot ?? '', b.lot ?? ''];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Units that may be shipped now: those of usable lots (expired units never count toward the reserve either). */
export function usableUnits(lots: readonly LotStock[], now: string): number {
  return lots.reduce((n, l) => n + (isUsable(l, now) ? l.quantity : 0), 0);
}

export interface LotTake {
  lot: LotName;
  quantity: number;
}

/**
 * Takes `quantity` units first expired, first out (rule 9) from the usable lots. Returns the takes
 * in that order; `short` is what the usable lots could not give.
 */
export function takeFefo(
  lots: readonly LotStock[],
  quantity: number,
  now: string,
): { takes: LotTake[]; short: number } {
  const takes: LotTake[] = [];
  let left = quantity;
  for (const lot of [...lots].filter((l) => isUsable(l, now) && l.quantity > 0).sort(fefoCompare)) {
    if (left === 0) break;
    const take = Math.min(left, lot.quantity);
    takes.push({ lot: lot.lot, quantity: take });
    left -= take;
  }
  return { takes, short: left };
}

/** A lot as the store knows it before a restock: its expiry (fixed by its first restock) and recall. */
export interface KnownLot {
  expiresAt: string | null;
  recalled: boolean;
}

export interface RestockLotLine {
  /** Where the line stood in the request, for the error's path. */
  path: string;
  product_id: number;
  lot: LotName;
  /** Normalized (normalizeExpiry); absent when the line gave none. */
  expiresAt?: string;
}

/**
 * The lot rules a restock must keep (SPEC v2), as one message per broken line; any makes the
 * whole restock change nothing (422). `known` holds the lots already restocked, by product and lot.
 */
export function restockLotProblems(
  lines: readonly RestockLotLine[],
  known: (productId: number, lot: string) => KnownLot | undefined,
  now: string,
): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const line of lines) {
    if (line.lot === null) {
      if (line.expiresAt !== undefined) {
        problems.push({ path: `${line.path}.expires_at`, message: 'needs a lot: the unnamed lot never expires' });
      }
      continue;
    }
    const lot = known(line.product_id, line.lot);
    const expiresAt = lot ? lot.expiresAt : (line.expiresAt ?? null);
    if (lot?.recalled) {
      problems.push({
        path: `${line.path}.lot`,
        message: `lot ${line.lot} of product ${line.product_id} was recalled`,
      });
    } else if (lot && line.expiresAt !== undefined && line.expiresAt !== lot.expiresAt) {
      problems.push({
        path: `${line.path}.expires_at`,
        message: `lot ${line.lot} of product ${line.product_id} expires at ${lot.expiresAt ?? 'never'}, fixed by its first restock`,
      });
    } else if (expiresAt !== null && expiresAt <= now) {
      problems.push({
        path: `${line.path}.lot`,
        message: `lot ${line.lot} of product ${line.product_id} expired at ${expiresAt}`,
      });
    }
  }
  return problems;
}
