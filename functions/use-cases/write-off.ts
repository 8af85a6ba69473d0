/**
 * POST /inventory/write_offs (SPEC v2): units leave stock without being shipped (damaged,
 * expired, recalled, ...), all or nothing, never below zero, with a `write_off` movement per
 * line in the ledger. Idempotent like a restock: the same key with the same lines answers the
 * first answer and changes nothing; other lines with that key are refused (409).
 *
 * Lots are not kept yet (the lots issue): every unit is in the product's unnamed lot, so a line
 * without a lot takes from it, and a line naming a lot finds none of its units on hand (422).
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, type FieldError, InvalidValueError, NotFoundError } from '../domain/errors.js';
import type { WriteOffReason } from '../domain/movement.js';
import type { WriteOffLine } from '../domain/requests.js';
import { commitWriteOff, getWriteOff, WRITE_OFF_LINES, type WriteOffRecord } from '../store/write-off-store.js';
import { rememberProducts } from './catalog-cache.js';

export interface WriteOffInput {
  /** `key:<Idempotency-Key>`; absent: a fresh key. */
  key?: string;
  /** Merged and sorted (domain `parseWriteOffRequest`). */
  lines: WriteOffLine[];
  /** Where a line stood in the request body, for error paths. */
  linePath?: (line: WriteOffLine) => string;
}

export interface WriteOffAnswer {
  written_off: Array<{ product_id: number; lot: string | null; quantity: number; reason: WriteOffReason }>;
}

export async function writeOff(input: WriteOffInput): Promise<WriteOffAnswer> {
  const key = input.key ?? `auto:${randomUUID()}`;
  const path = input.linePath ?? (() => '');
  if (input.lines.length > WRITE_OFF_LINES) {
    throw new InvalidValueError(`a write-off holds at most ${WRITE_OFF_LINES} lines once merged; send several`, [
      { path: '', message: `holds ${input.lines.length} lines of distinct product, lot and reason` },
    ]);
  }
  const named = input.lines.filter((l) => l.lot !== null);
  if (named.length > 0) {
    throw new InvalidValueError(
      'the write-off names lots that have no units on hand',
      named.map((l) => ({ path: path(l), message: `lot ${l.lot} of product ${l.product_id} has 0 units on hand` })),
    );
  }
  const record: WriteOffRecord = { key, lines: input.lines, createdAt: new Date().toISOString() };
  const outcome = await commitWriteOff(record);
  switch (outcome.kind) {
    case 'written-off':
      return answerOf(record);
    case 'exists':
      return replay(key, input.lines);
    case 'unknown':
      throw new NotFoundError(
        'the write-off names products that are not in the catalog',
        input.lines
          .filter((l) => outcome.productIds.includes(l.product_id))
          .map((l) => ({ path: path(l), message: `unknown product_id ${l.product_id}` })),
      );
    case 'short': {
      rememberProducts(outcome.seen.values());
      throw new InvalidValueError('the write-off takes more units than are on hand; nothing was written off', [
        ...shortLines(input.lines, outcome.seen, path),
      ]);
    }
  }
}

async function replay(key: string, lines: WriteOffLine[]): Promise<WriteOffAnswer> {
  const first = await getWriteOff(key);
  if (!first) throw new Error(`write-off ${key} reported as existing but not found`);
  if (!sameLines(first.lines, lines)) throw new ConflictError(`write-off ${key} was already sent with different lines`);
  return answerOf(first);
}

/** Notes are not part of what was written off: the same units with other notes are the same write-off. */
function sameLines(a: WriteOffLine[], b: WriteOffLine[]): boolean {
  const text = (lines: WriteOffLine[]) => JSON.stringify(lines.map(({ note: _, ...l }) => l));
  return text(a) === text(b);
}

function answerOf(record: WriteOffRecord): WriteOffAnswer {
  return {
    written_off: record.lines.map(({ product_id, lot, quantity, reason }) => ({ product_id, lot, quantity, reason })),
  };
}

function shortLines(
  lines: WriteOffLine[],
  seen: Map<number, { on_hand: number }>,
  path: (line: WriteOffLine) => string,
): FieldError[] {
  const wanted = new Map<number, number>();
  for (const l of lines) wanted.set(l.product_id, (wanted.get(l.product_id) ?? 0) + l.quantity);
  return lines.flatMap((l) => {
    const onHand = seen.get(l.product_id)?.on_hand;
    if (onHand === undefined || onHand >= wanted.get(l.product_id)!) return [];
    return [
      {
        path: path(l),
        message: `takes ${wanted.get(l.product_id)} units of product ${l.product_id}; ${onHand} on hand`,
      },
    ];
  });
}
