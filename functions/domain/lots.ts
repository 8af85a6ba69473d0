/**
 * Lots and expiry (SPEC v2 "Lots and expiry", rules 9 and 10), pure: which lot a unit comes
 * from, which units are usable, which restock lines a lot's history refuses, and where the units
 * of a restock already under way go when a lot changed after it was checked.
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

/**
 * A product holds at most this many lots on hand: every take names its lots in one update of the
 * product (conditions and all), and DynamoDB allows 4 KB per expression. A restock of one more
 * lot is refused (422) until one is used up, written off or expired.
 */
export const MAX_LOTS_ON_HAND = 40;

/**
 * Whether restocking `restocked` (one product's named lots in one update) would leave the product
 * with more than MAX_LOTS_ON_HAND named lots, judged exactly as the product's update judges it at
 * commit (the store's `:lotcap`): once any of them is not on hand, the lots on hand plus every one
 * of them, each counted as if new. So a restock in parts, checked whole with this before its first
 * part commits, never has a later part refused for its lots by its own products as they were read.
 */
export function exceedsLotCap(onHand: readonly string[], restocked: readonly string[]): boolean {
  const held = new Set(onHand);
  const lots = new Set(restocked);
  return [...lots].some((lot) => !held.has(lot)) && held.size + lots.size > MAX_LOTS_ON_HAND;
}

/**
 * A planned take must still find its lot usable this long after planning: the write's round trip.
 * The condition at commit compares the lot's expiry with the plan's time plus this, since
 * DynamoDB has no clock of its own in a condition; so a unit is never shipped within this margin
 * of its expiry, and never after it (rule 10).
 */
export const TAKE_HORIZON_MS = 5_000;

/** The instant a take planned now must find its lots usable at (see TAKE_HORIZON_MS). */
export const takeHorizon = (now = Date.now()): string => new Date(now + TAKE_HORIZON_MS).toISOString();

/** Units of one lot that one shipment or write-off takes (SPEC: `lots: [{lot, quantity}]`). */
export interface LotTake {
  lot: LotName;
  quantity: number;
}

/** A take as the store commits it: the expiry its condition checks, and whether it empties the lot. */
export interface StockTake extends LotTake {
  expiresAt: string | null;
  /** Takes every unit of a named lot: the lot leaves the product's stock (the unnamed lot stays). */
  empties: boolean;
}

/**
 * Takes `quantity` units first expired, first out (rule 9) from the lots usable at `now` (a
 * plan's horizon). Returns the takes in that order; `short` is what the usable lots could not give.
 */
export function takeFefo(
  lots: readonly LotStock[],
  quantity: number,
  now: string,
): { takes: StockTake[]; short: number } {
  const takes: StockTake[] = [];
  let left = quantity;
  for (const lot of [...lots].filter((l) => isUsable(l, now) && l.quantity > 0).sort(fefoCompare)) {
    if (left === 0) break;
    const take = Math.min(left, lot.quantity);
    takes.push({
      lot: lot.lot,
      quantity: take,
      expiresAt: lot.expiresAt,
      empties: lot.lot !== null && take === lot.quantity,
    });
    left -= take;
  }
  return { takes, short: left };
}

/** The lots after the takes committed (emptied named lots leave; the unnamed lot stays at 0). */
export function afterTakes(lots: readonly LotStock[], takes: readonly LotTake[]): LotStock[] {
  const taken = new Map<LotName, number>();
  for (const t of takes) taken.set(t.lot, (taken.get(t.lot) ?? 0) + t.quantity);
  return lots
    .map((l) => ({ ...l, quantity: l.quantity - (taken.get(l.lot) ?? 0) }))
    .filter((l) => l.lot === null || l.quantity > 0);
}

/** Takes of the same lot added up, first appearance first (one product's takes over a batch). */
export function mergeTakes<T extends LotTake>(takes: readonly T[]): T[] {
  const merged = new Map<LotName, T>();
  for (const t of takes) {
    const seen = merged.get(t.lot);
    merged.set(t.lot, seen ? { ...seen, quantity: seen.quantity + t.quantity } : { ...t });
  }
  return [...merged.values()];
}

/**
 * Deals takes (in FEFO order) out in turn: each call gives the lots of the next `quantity` units.
 * Fills in serve order thus receive the lots that expire first, and a shipment's packages in
 * their order get its lots the same way every time it is expanded.
 */
export function dealLots(takes: readonly LotTake[]): (quantity: number) => LotTake[] {
  const queue = takes.map((t) => ({ ...t }));
  let i = 0;
  return (quantity) => {
    const out: LotTake[] = [];
    let left = quantity;
    while (left > 0) {
      const take = queue[i];
      if (!take) throw new Error(`the takes hold ${left} units fewer than dealt`);
      const q = Math.min(left, take.quantity);
      out.push({ lot: take.lot, quantity: q });
      take.quantity -= q;
      left -= q;
      if (take.quantity === 0) i++;
    }
    return out;
  };
}

/** Takes dealt to consecutive consumers: the first gets `quantities[0]` units, and so on. */
export function splitTakes(takes: readonly LotTake[], quantities: readonly number[]): LotTake[][] {
  return quantities.map(dealLots(takes));
}

/** One restock line after merging (SPEC: lines naming the same product and lot are merged). */
export interface RestockLine {
  product_id: number;
  lot: LotName;
  quantity: number;
  /** As the line gave it, normalized; absent: the lot keeps its expiry (a new lot then never expires). */
  expiresAt?: string;
  /** Where its first line stood in the request (`[3]`), for error paths. */
  path?: string;
}

/** A restocked lot with the expiry it has: the line's, or the one its first restock fixed. */
export interface RestockedLot {
  lot: LotName;
  quantity: number;
  expiresAt: string | null;
}

/** A restock line with its product and its expiry resolved (the line's, or the lot's own). */
export type ResolvedRestockLine = RestockedLot & { product_id: number };

/** The lots after a restock put units into them (a lot new to the product joins them). */
export function withRestocked(lots: readonly LotStock[], restocked: readonly RestockedLot[]): LotStock[] {
  const out = new Map(lots.map((l) => [l.lot, { ...l }]));
  for (const r of restocked) {
    const lot = out.get(r.lot);
    if (lot) lot.quantity += r.quantity;
    else out.set(r.lot, { lot: r.lot, quantity: r.quantity, expiresAt: r.expiresAt });
  }
  return [...out.values()];
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

/**
 * The products a restock would leave with too many lots (`exceedsLotCap` on each product's named
 * lots, as `lotsOnHand` gives them), in the order their lines come.
 */
export function productsOverLotCap(
  lines: readonly Pick<RestockLine, 'product_id' | 'lot'>[],
  lotsOnHand: (productId: number) => readonly LotStock[],
): number[] {
  const named = new Map<number, string[]>();
  for (const l of lines) if (l.lot !== null) named.set(l.product_id, [...(named.get(l.product_id) ?? []), l.lot]);
  return [...named].flatMap(([productId, lots]) =>
    exceedsLotCap(namedLots(lotsOnHand(productId)), lots) ? [productId] : [],
  );
}

/** The names of the named lots among `lots` (the unnamed lot does not count toward the cap). */
export const namedLots = (lots: readonly LotStock[]): string[] => lots.flatMap((l) => (l.lot === null ? [] : [l.lot]));

/**
 * A line of a later part of a restock, as it lands: a restock too large for one transaction is
 * checked whole, then commits in parts; once its first part committed (with its record) it is
 * under way and must finish (rule 7), so a later part is never refused. Its lots are read again
 * just before it commits, and a lot may have changed since the check:
 * - recalled: the units are recorded (restocked) and written off at once as `recalled`, so they
 *   are traceable and never on hand, never shipped (rule 10);
 * - created meanwhile by another restock, with its own expiry (the lot's expiry is fixed by the
 *   first restock that names it): units whose own expiry is no earlier than the lot's land in it
 *   under the lot's expiry (they then leave no later than they really expire); units that expire
 *   before the lot does would be shipped after they expired (rule 10), so they are written off
 *   (`other`) instead.
 * - new to a product that, since the check, was given so many other lots by concurrent restocks
 *   that this one would pass MAX_LOTS_ON_HAND (`lotsOnHand`: the product's named lots as its
 *   refused update returned them; undefined while none was refused): the lines of new lots land
 *   in line order while they fit (`exceedsLotCap`), the rest are written off (`other`). Landing
 *   them over the cap would let the lots on hand outgrow what one update's 4 KB expressions are
 *   sized and tested for (every take names its lot); refusing the part would leave the restock
 *   half applied for good.
 * `lands.line.expiresAt` is the expiry the units land under: the lot's own if it exists.
 */
export type LaterPartLine =
  | { kind: 'lands'; line: ResolvedRestockLine }
  | {
      kind: 'written-off';
      line: ResolvedRestockLine;
      reason: 'recalled' | 'other';
      cause: LaterPartWriteOffCause;
    };

/** Why units of a later part are written off, for the operator's log: the lot was recalled, expires after them, or was one lot too many. */
export type LaterPartWriteOffCause = 'recalled' | 'lot-expires-later' | 'too-many-lots';

export function planLaterPart(
  lines: readonly ResolvedRestockLine[],
  known: (productId: number, lot: string) => KnownLot | undefined,
  lotsOnHand: (productId: number) => readonly string[] | undefined = () => undefined,
): LaterPartLine[] {
  const plan = lines.map((line): LaterPartLine => {
    const lot = line.lot === null ? undefined : known(line.product_id, line.lot);
    if (!lot) return { kind: 'lands', line };
    if (lot.recalled) return { kind: 'written-off', line, reason: 'recalled', cause: 'recalled' };
    if (!expiresNoLater(lot.expiresAt, line.expiresAt)) {
      return { kind: 'written-off', line, reason: 'other', cause: 'lot-expires-later' };
    }
    return { kind: 'lands', line: { ...line, expiresAt: lot.expiresAt } };
  });
  return withinLotCap(plan, lotsOnHand);
}

/** Lines of lots new to a product over its lot cap written off (see planLaterPart), in line order. */
function withinLotCap(
  plan: LaterPartLine[],
  lotsOnHand: (productId: number) => readonly string[] | undefined,
): LaterPartLine[] {
  const landing = new Map<number, string[]>();
  const lotsOf = (p: LaterPartLine) => (p.kind === 'lands' && p.line.lot !== null ? p.line.lot : undefined);
  // Lots already on hand land whatever the cap (their update passes it), and count in it.
  for (const p of plan) {
    const lot = lotsOf(p);
    if (lot !== undefined && lotsOnHand(p.line.product_id)?.includes(lot)) {
      landing.set(p.line.product_id, [...(landing.get(p.line.product_id) ?? []), lot]);
    }
  }
  return plan.map((p): LaterPartLine => {
    const lot = lotsOf(p);
    const onHand = lotsOnHand(p.line.product_id);
    if (lot === undefined || onHand === undefined || onHand.includes(lot)) return p;
    const lots = landing.get(p.line.product_id) ?? [];
    if (exceedsLotCap(onHand, [...lots, lot])) {
      return { kind: 'written-off', line: p.line, reason: 'other', cause: 'too-many-lots' };
    }
    landing.set(p.line.product_id, [...lots, lot]);
    return p;
  });
}

/** Whether expiry `a` comes no later than `b` (null: never expires). */
const expiresNoLater = (a: string | null, b: string | null) => b === null || (a !== null && a <= b);
