/**
 * Lists the movements of every stock write so far, as the sequencer function does in AWS from
 * the table's stream: reads the current test table's whole stream from its oldest record
 * (local/table-stream.ts) and hands the records to the sequencer. Sequencing is idempotent, so
 * reading from the start each time is safe. Needs a table made with `{ stream: true }`. Also the
 * stream's other follower, which files settled orders in the order lists.
 */
import type { EventPublisher } from '../../functions/domain/outbound-events.js';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { tableName } from '../../functions/commons/dynamodb.js';
import { type SequenceOutcome, sequenceMovements } from '../../functions/store/ledger-store.js';
import { publishEvents } from '../../functions/use-cases/publish-events.js';
import { localClientConfig } from '../../local/local-aws-env.js';
import { TableStreamReader } from '../../local/table-stream.js';

/**
 * The endpoint the handlers use (set by createTestTable, or by a benchmark's local service):
 * this also runs outside vitest (the benchmarks check their state with the same invariants).
 */
function endpoint(): string {
  const value = process.env.DYNAMODB_ENDPOINT;
  if (!value) throw new Error('DYNAMODB_ENDPOINT is not set');
  return value;
}

/** The table's stream, or undefined when it has none. */
export async function streamArn(): Promise<string | undefined> {
  const client = new DynamoDBClient(localClientConfig(endpoint()));
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName() }));
    return Table?.StreamSpecification?.StreamEnabled ? Table.LatestStreamArn : undefined;
  } finally {
    client.destroy();
  }
}

/** Every record the table's stream holds, each shard after its parent, oldest first. */
export async function streamRecords(arn: string): Promise<_Record[]> {
  const streams = new DynamoDBStreamsClient(localClientConfig(endpoint()));
  try {
    const reader = await TableStreamReader.open(streams, arn, 'oldest', 1000);
    const records: _Record[] = [];
    for (;;) {
      const batch = await reader.next();
      batch.commit();
      if (batch.records.length === 0) return records;
      records.push(...batch.records);
    }
  } finally {
    streams.destroy();
  }
}

/** Sequences every stock write so far; fails on any write that did not match its product's change. */
export async function sequenceLedger(): Promise<SequenceOutcome> {
  const arn = await streamArn();
  if (!arn) throw new Error(`table ${tableName()} has no stream: make it with createTestTable(name, { stream: true })`);
  const outcome = await sequenceMovements(await streamRecords(arn));
  if (outcome.problems.length > 0) throw new Error(`ledger: ${outcome.problems.join('; ')}`);
  return outcome;
}

/**
 * Runs the stream's follower over the whole stream, as the publish-events function does in AWS:
 * settled orders are filed in the order lists (its events go nowhere). Idempotent, like the ledger.
 */
export async function followStream(
  publisher: EventPublisher = { publish: async () => ({ failed: [] }) },
): Promise<void> {
  const arn = await streamArn();
  if (!arn) throw new Error(`table ${tableName()} has no stream: make it with createTestTable(name, { stream: true })`);
  const records = await streamRecords(arn);
  const report = await publishEvents(
    records.map((record) => ({ id: record.dynamodb?.SequenceNumber ?? '', record })),
    publisher,
  );
  if (report.failedRecords.length > 0) throw new Error(`${report.failedRecords.length} stream records not followed`);
}
