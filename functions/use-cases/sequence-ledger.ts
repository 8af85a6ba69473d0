/**
 * The movement ledger's sequencer (SPEC v2): records of the table's stream in, each stock write's
 * movements listed in commit order with the units on hand after each (store/ledger-store.ts).
 * Fed by Lambda's stream event source in AWS (handlers/sequence-ledger.ts) and by `npm start`'s
 * stream loop locally. At least once and in order per product: a change sequenced twice writes
 * the same movements again.
 *
 * A write whose movements do not match its product's change (never expected: both commit in one
 * transaction) is logged and counted, not retried: retrying cannot change stored data, and
 * holding the stream back would stop every later movement. The metric has an alarm.
 */
import { logger } from '../commons/logger.js';
import { sequenceMovements, type StreamRecordLike } from '../store/ledger-store.js';

export async function sequenceLedger(records: StreamRecordLike[]): Promise<{ movements: number; problems: number }> {
  const outcome = await sequenceMovements(records);
  for (const problem of outcome.problems) logger.error('ledger: a stock write does not match its product', { problem });
  return { movements: outcome.movements, problems: outcome.problems.length };
}
