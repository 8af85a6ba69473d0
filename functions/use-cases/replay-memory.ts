/**
 * What a warm function remembers of requests it answered, so that a replay (a client retrying
 * after a timeout usually reaches the same warm function) costs at most one read: the orders it
 * created (a replay reads the order's current view and attempts no write) and the final answers
 * of restocks it completed (a replay with the same key and lines answers from memory, like
 * Powertools idempotency's local cache).
 *
 * Only facts that never change once written are kept: that an order exists (orders are never
 * deleted) and a restock's first answer (SPEC rule 6). Bounded in entries and bytes, and
 * forgotten long before the store forgets restock keys (24 hours at least).
 */

const MAX_ORDERS = 10_000;
const MAX_ANSWERS = 1_000;
/** Larger answers are read back from the store on a replay (one Query and one BatchGetItem). */
const MAX_ANSWER_BYTES = 64 * 1024;
const ANSWER_TTL_MS = 60 * 60 * 1000;

const orders = new Set<string>();
const answers = new Map<string, { lines: unknown; answer: unknown; until: number }>();

/** An order this function created (or found existing): a replay of it needs no write. */
export function rememberOrder(orderKey: string): void {
  orders.delete(orderKey);
  orders.add(orderKey);
  if (orders.size > MAX_ORDERS) orders.delete(orders.values().next().value!);
}

export const knownOrder = (orderKey: string): boolean => orders.has(orderKey);

/** A restock's final answer (its record is done): replays of its key return it. */
export function rememberRestockAnswer(key: string, lines: unknown, answer: unknown, bytes: number): void {
  if (bytes > MAX_ANSWER_BYTES) return;
  answers.delete(key);
  answers.set(key, { lines, answer, until: Date.now() + ANSWER_TTL_MS });
  if (answers.size > MAX_ANSWERS) answers.delete(answers.keys().next().value!);
}

/** The first answer of restock `key` and the lines it was sent with, if this function remembers it. */
export function rememberedRestock<T, L>(key: string): { lines: L; answer: T } | undefined {
  const entry = answers.get(key);
  if (!entry) return undefined;
  if (entry.until <= Date.now()) {
    answers.delete(key);
    return undefined;
  }
  return { lines: entry.lines as L, answer: entry.answer as T };
}

export function forgetReplays(): void {
  orders.clear();
  answers.clear();
}
