/**
 * POST /inventory/write_offs (SPEC v2): units leave stock without being shipped (damaged,
 * expired, recalled, ...), all or nothing, never below zero, with a `write_off` movement per
 * line in the ledger. Idempotent like a restock: the same key with the same lines answers the
 * first answer and changes nothing; other lines with that key are refused (409).
 *
 * A line naming a lot takes from it (expired units too); a line without one takes from the usable
 * lots, first expired first (rule 9): see domain/write-off-plan.ts. The products are read first,
 * since the takes name lots; each take is guarded at commit, and a stale plan is made again.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, InvalidValueError, NotFoundError } from '../domain/errors.js';
import { takeHorizon } from '../domain/lots.js';
import type { WriteOffReason } from '../domain/movement.js';
import type { WriteOffLine } from '../domain/requests.js';
import { planWriteOff } from '../domain/write-off-plan.js';
import { getProducts } from '../store/catalog-store.js';
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
  // A replay of a used key answers as the first request did, whatever the stock is now.
  if (input.key) {
    const first = await getWriteOff(key);
    if (first) return replay(first, input.lines);
  }
  let products = await getProducts(input.lines.map((l) => l.product_id));
  for (let attempt = 0; attempt < PLAN_ATTEMPTS; attempt++) {
    const unknown = input.lines.filter((l) => !products.has(l.product_id));
    if (unknown.length > 0) {
      throw new NotFoundError(
        'the write-off names products that are not in the catalog',
        unknown.map((l) => ({ path: path(l), message: `unknown product_id ${l.product_id}` })),
      );
    }
    // Planned on the lots as read; every take is guarded at commit.
    const plan = planWriteOff(input.lines, (id) => products.get(id)!.lots, takeHorizon());
    if (plan.short.length > 0) {
      throw new InvalidValueError(
        'the write-off takes more units than are on hand; nothing was written off',
        plan.short.map((s) => ({ path: path(input.lines[s.line]!), message: s.message })),
      );
    }
    const record: WriteOffRecord = {
      key,
      lines: input.lines.map((l, i) => ({ ...l, takes: plan.lineTakes[i]! })),
      createdAt: new Date().toISOString(),
    };
    const lotsSeen = new Map([...plan.fefoProducts].map((id) => [id, products.get(id)!.lots_rev ?? 0]));
    const outcome = await commitWriteOff(record, plan.productTakes, lotsSeen);
    switch (outcome.kind) {
      case 'written-off':
        return answerOf(record);
      case 'exists': {
        const first = await getWriteOff(key);
        if (!first) throw new Error(`write-off ${key} reported as existing but not found`);
        return replay(first, input.lines);
      }
      case 'unknown':
        products = new Map([...products].filter(([id]) => !outcome.productIds.includes(id)));
        continue;
      case 'short':
        // The stock moved since the read: plan again on the products as the failed write saw them.
        rememberProducts(outcome.seen.values());
        products = new Map([...products, ...outcome.seen]);
    }
  }
  throw new Error(`write-off ${key}: the stock kept moving`);
}

const PLAN_ATTEMPTS = 5;

function replay(first: WriteOffRecord, lines: WriteOffLine[]): WriteOffAnswer {
  if (!sameLines(first.lines, lines)) {
    throw new ConflictError(`write-off ${first.key} was already sent with different lines`);
  }
  return answerOf(first);
}

/** Notes are not part of what was written off: the same units with other notes are the same write-off. */
function sameLines(a: WriteOffLine[], b: WriteOffLine[]): boolean {
  const text = (lines: WriteOffLine[]) =>
    JSON.stringify(lines.map(({ product_id, lot, quantity, reason }) => ({ product_id, lot, quantity, reason })));
  return text(a) === text(b);
}

/** One entry per line and lot taken: a line without a lot shows the lots FEFO took its units from. */
function answerOf(record: WriteOffRecord): WriteOffAnswer {
  return {
    written_off: record.lines.flatMap(({ product_id, reason, takes }) =>
      takes.map(({ lot, quantity }) => ({ product_id, lot, quantity, reason })),
    ),
  };
}
