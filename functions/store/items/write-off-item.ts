/**
 * WriteOffItem: WRITEOFF#<key> / WRITEOFF, the idempotency record of one write-off (key: the
 * Idempotency-Key header as `key:<header>`, or a generated one), created in the same transaction
 * as the stock it takes, so a replayed key changes nothing. Kept 48 hours (SPEC: keys are
 * remembered at least 24).
 *
 * Size by construction: at most WRITE_OFF_LINES merged lines (one transaction's worth) of at
 * most about 700 bytes each (a note of 500 characters, a lot of 64): under 70 KB.
 */
import { tableName } from '../../commons/dynamodb.js';
import type { LotTake } from '../../domain/lots.js';
import type { WriteOffReason } from '../../domain/movement.js';
import { writeOffKey } from '../keys.js';
import type { TransactionItem } from '../transactions.js';

export const WRITE_OFF_RECORD_TTL_SECONDS = 48 * 3600;

export interface WriteOffLineRecord {
  product_id: number;
  lot: string | null;
  quantity: number;
  reason: WriteOffReason;
  note: string | null;
  /** The lots the line's units came from (a line without a lot: first expired first). */
  takes: LotTake[];
}

export interface WriteOffRecord {
  key: string;
  /** Merged and sorted (see domain `parseWriteOffRequest`). */
  lines: WriteOffLineRecord[];
  createdAt: string;
}

export function putWriteOff(record: WriteOffRecord, nowMs = Date.now()): TransactionItem {
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...writeOffKey(record.key),
        write_off_key: record.key,
        lines: record.lines,
        created_at: record.createdAt,
        expires_at: Math.floor(nowMs / 1000) + WRITE_OFF_RECORD_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export function writeOffFromItem(item: Record<string, unknown>): WriteOffRecord {
  return {
    key: String(item.write_off_key),
    lines: (item.lines as WriteOffLineRecord[]).map((l) => ({
      product_id: Number(l.product_id),
      lot: l.lot ?? null,
      quantity: Number(l.quantity),
      reason: l.reason,
      note: l.note ?? null,
      takes: Array.isArray(l.takes)
        ? l.takes.map((t) => ({ lot: t.lot ?? null, quantity: Number(t.quantity) }))
        : [{ lot: l.lot ?? null, quantity: Number(l.quantity) }],
    })),
    createdAt: String(item.created_at),
  };
}
