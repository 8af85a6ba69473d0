/**
 * `npm start`'s readers of the table's stream on DynamoDB Local (./table-stream.ts), the parts
 * two Lambda functions play in AWS, run on each batch in turn with the same use cases: the
 * movement ledger's sequencer (functions/use-cases/sequence-ledger.ts), then the outbound events
 * (functions/use-cases/publish-events.ts) with the local publisher (./local-event-publisher.ts):
 * each event printed, and POSTed to EVENTS_WEBHOOK_URL when set.
 *
 * Where it starts. With a data directory, the position in the stream (the last sequence number
 * handled per shard) is kept in <data dir>/event-stream-position.json after every batch, and a
 * restart goes on from there: events of changes committed just before a crash or a stop are
 * published after the restart (at least once: a batch handled but not yet recorded is published
 * again, with the same event ids). DynamoDB Local keeps the stream's records in the data
 * directory, 24 hours. Without a saved position for this table's stream (a new data directory,
 * --in-memory, a table made anew, after `npm run import`), it starts at the stream's end: the
 * changes of an earlier run, or an import, are history, not news.
 *
 * A batch that fails (DynamoDB Local unreachable for an order's read) is read again after a
 * pause, so nothing is skipped. Stopping waits for the batch in hand, like the sweeper's loop.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { EventPublisher } from '../functions/domain/outbound-events.js';
import { localClientConfig } from './local-aws-env.js';
import { type StartAt, type StreamPosition, TableStreamReader } from './table-stream.js';

export const POSITION_FILE = 'event-stream-position.json';

export interface EventPublishing {
  /** Cancels the next read and waits for the batch in hand, if any, to be published. */
  stop(): Promise<void>;
}

export interface EventPublishingOptions {
  /** DynamoDB Local's endpoint (loopback). */
  endpoint: string;
  tableName: string;
  /** Where the position is kept; absent (--in-memory): nowhere. */
  dataDir?: string;
  publisher: EventPublisher;
  /** Pause between reads when the stream had nothing new; default 200 ms. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

export async function startEventPublishing(options: EventPublishingOptions): Promise<EventPublishing> {
  const intervalMs = options.intervalMs ?? 200;
  const onError = options.onError ?? ((error: unknown) => console.error('publishing events failed:', error));
  const streamArn = await tableStreamArn(options.endpoint, options.tableName);
  const streams = new DynamoDBStreamsClient(localClientConfig(options.endpoint));
  const saved = options.dataDir ? readPosition(options.dataDir) : undefined;
  const startAt: StartAt = saved?.stream_arn === streamArn ? saved : 'end';
  let reader: TableStreamReader;
  try {
    reader = await TableStreamReader.open(streams, streamArn, startAt);
  } catch (error) {
    streams.destroy();
    throw error;
  }
  // Imported when the handlers' environment is set (TABLE_NAME, DYNAMODB_ENDPOINT), as they are.
  const { publishEvents } = await import('../functions/use-cases/publish-events.js');
  const { sequenceLedger } = await import('../functions/use-cases/sequence-ledger.js');

  let written = '';
  const save = () => {
    if (!options.dataDir) return;
    const text = `${JSON.stringify(reader.savedPosition(), null, 2)}\n`;
    if (text !== written) writePosition(options.dataDir, text);
    written = text;
  };
  save();

  /** One batch: true when it had records (read the next one at once). */
  const runOnce = async (): Promise<boolean> => {
    const batch = await reader.next();
    if (batch.records.length > 0) {
      // Movements first: a write-off's StockWrittenOff comes from the movement this lists.
      await sequenceLedger(batch.records);
      const report = await publishEvents(
        batch.records.map((record) => ({ id: record.dynamodb?.SequenceNumber ?? '', record })),
        options.publisher,
      );
      if (report.failedRecords.length > 0) {
        // Not committed: the whole batch is read again (its other events again too, same ids).
        throw new Error(`events of ${report.failedRecords.length} stream records not published; reading them again`);
      }
    }
    batch.commit();
    save();
    return batch.records.length > 0;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let failures = 0;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .then(
          (more) => {
            failures = 0;
            return more ? 0 : intervalMs;
          },
          (error: unknown) => {
            onError(error);
            failures++;
            return Math.min(intervalMs * 2 ** failures, 5_000);
          },
        )
        .then((next) => {
          running = undefined;
          schedule(next);
        });
    }, delayMs);
  };
  schedule(0);

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      streams.destroy();
    },
  };
}

async function tableStreamArn(endpoint: string, tableName: string): Promise<string> {
  const client = new DynamoDBClient(localClientConfig(endpoint));
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled) {
      throw new Error(`table ${tableName} has no stream: its outbound events cannot be read`);
    }
    return Table.LatestStreamArn;
  } finally {
    client.destroy();
  }
}

function readPosition(dataDir: string): StreamPosition | undefined {
  const path = join(dataDir, POSITION_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const position = JSON.parse(readFileSync(path, 'utf8')) as StreamPosition;
    return typeof position.stream_arn === 'string' && typeof position.shards === 'object' ? position : undefined;
  } catch {
    console.error(`${path} is not a stream position; starting at the stream's end`);
    return undefined;
  }
}

/** Replaced whole (write, then rename), so a crash never leaves half a position. */
function writePosition(dataDir: string, text: string): void {
  const path = join(dataDir, POSITION_FILE);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/**
 * After `npm run import` into a data directory: the imported items are history, so the next
 * `npm start` begins at the stream's end instead of publishing them (see the header).
 */
export function forgetEventStreamPosition(dataDir: string): void {
  rmSync(join(dataDir, POSITION_FILE), { force: true });
}
