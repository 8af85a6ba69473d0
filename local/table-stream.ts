/**
 * Reads the table's stream on DynamoDB Local through the DynamoDB Streams API, the part Lambda's
 * event source mapping plays in AWS: shards in order (a child after its parent), records in order
 * within a shard, and a position (the last sequence number handled per shard) that advances only
 * when the caller says the records were handled. A batch not committed is read again, so what the
 * caller does with records happens at least once.
 *
 * Used by `npm start` (./event-publishing.ts) and by the tests that read the events.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';

/** Where a reader stands, as `npm start` keeps it in the data directory between runs. */
export interface StreamPosition {
  stream_arn: string;
  /** Per shard: the sequence number of the last record handled, or DONE once a closed shard is read to its end. */
  shards: Record<string, string>;
}

export const DONE = 'done';

/**
 * Where a new reader starts: at the oldest record the stream holds (`oldest`), after the newest
 * (`end`: what is in the stream now is skipped, read through once), or at a saved position
 * (shards it does not name are new since, and read from their start).
 */
export type StartAt = 'oldest' | 'end' | StreamPosition;

export interface StreamBatch {
  /** Oldest first within each shard. */
  records: _Record[];
  /** The records were handled: the position moves past them. */
  commit(): void;
}

/** DescribeStream again after this long, to see new shards (DynamoDB rolls shards over every few hours). */
const DESCRIBE_EVERY_MS = 5_000;

export class TableStreamReader {
  private position: StreamPosition;
  private shards: Shard[] = [];
  private describedAt = 0;
  /** The iterator for each shard's next read, valid only while the last batch was committed. */
  private iterators = new Map<string, string>();
  private uncommitted = new Set<string>();
  /** Records per shard and batch (Lambda's batch size plays this part in AWS). */
  private limit = 100;

  private constructor(
    private readonly client: DynamoDBStreamsClient,
    readonly streamArn: string,
    position: StreamPosition,
  ) {
    this.position = { stream_arn: streamArn, shards: { ...position.shards } };
  }

  static async open(
    client: DynamoDBStreamsClient,
    streamArn: string,
    startAt: StartAt,
    limit = 100,
  ): Promise<TableStreamReader> {
    const saved = typeof startAt === 'object' && startAt.stream_arn === streamArn ? startAt : undefined;
    const reader = new TableStreamReader(client, streamArn, saved ?? { stream_arn: streamArn, shards: {} });
    if (startAt === 'end') {
      for (let batch = await reader.next(1000); ; batch = await reader.next(1000)) {
        batch.commit();
        if (batch.records.length === 0) break;
      }
    }
    reader.limit = limit;
    return reader;
  }

  /** A copy of where the reader stands (what the last commit left). */
  savedPosition(): StreamPosition {
    return { stream_arn: this.position.stream_arn, shards: { ...this.position.shards } };
  }

  /** The records after the position: up to `limit` from each shard that may be read now. */
  async next(limit = this.limit): Promise<StreamBatch> {
    // A batch that was not committed is read again, from the position.
    for (const shardId of this.uncommitted) this.iterators.delete(shardId);
    await this.describe();
    const records: _Record[] = [];
    const advance = new Map<string, { last?: string; next?: string }>();
    for (const shard of this.readableShards()) {
      const shardId = shard.ShardId!;
      const iterator = this.iterators.get(shardId) ?? (await this.iteratorFor(shardId));
      if (!iterator) continue;
      let answer: Awaited<ReturnType<typeof this.getRecords>>;
      try {
        answer = await this.getRecords(iterator, limit);
      } catch (error) {
        // An iterator lives 15 minutes: past that (or after a restart of DynamoDB Local), start again from the position.
        if ((error as Error).name === 'ExpiredIteratorException') {
          this.iterators.delete(shardId);
          continue;
        }
        throw error;
      }
      const shardRecords = answer.Records ?? [];
      records.push(...shardRecords);
      advance.set(shardId, {
        ...(shardRecords.length > 0 ? { last: shardRecords.at(-1)!.dynamodb!.SequenceNumber! } : {}),
        ...(answer.NextShardIterator ? { next: answer.NextShardIterator } : {}),
      });
    }
    this.uncommitted = new Set(advance.keys());
    return {
      records,
      commit: () => {
        for (const [shardId, { last, next }] of advance) {
          if (next === undefined) {
            // No next iterator: the shard is closed and read to its end.
            this.position.shards[shardId] = DONE;
            this.iterators.delete(shardId);
          } else {
            if (last !== undefined) this.position.shards[shardId] = last;
            this.iterators.set(shardId, next);
          }
        }
        this.uncommitted.clear();
      },
    };
  }

  private getRecords(iterator: string, limit: number) {
    return this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  }

  /** Every shard of the stream (DescribeStream pages), and the position trimmed to them. */
  private async describe(): Promise<void> {
    if (Date.now() - this.describedAt < DESCRIBE_EVERY_MS && this.shards.length > 0) return;
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
    this.shards = shards;
    this.describedAt = Date.now();
    // Shards the stream no longer holds (trimmed after 24 hours) need no position.
    const known = new Set(shards.map((s) => s.ShardId));
    for (const shardId of Object.keys(this.position.shards)) {
      if (!known.has(shardId)) delete this.position.shards[shardId];
    }
  }

  /** Shards not read to their end whose parent, if the stream still holds it, is: records stay in order. */
  private readableShards(): Shard[] {
    const byId = new Map(this.shards.map((s) => [s.ShardId!, s]));
    return this.shards.filter((shard) => {
      if (this.position.shards[shard.ShardId!] === DONE) return false;
      const parent = shard.ParentShardId;
      return !parent || !byId.has(parent) || this.position.shards[parent] === DONE;
    });
  }

  private async iteratorFor(shardId: string): Promise<string | undefined> {
    const last = this.position.shards[shardId];
    if (last === DONE) return undefined;
    const get = async (type: ShardIteratorType, sequenceNumber?: string) =>
      (
        await this.client.send(
          new GetShardIteratorCommand({
            StreamArn: this.streamArn,
            ShardId: shardId,
            ShardIteratorType: type,
            ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}),
          }),
        )
      ).ShardIterator;
    if (last === undefined) return get('TRIM_HORIZON');
    try {
      return await get('AFTER_SEQUENCE_NUMBER', last);
    } catch (error) {
      // The stream keeps records 24 hours: older ones are gone, read what is left.
      if ((error as Error).name !== 'TrimmedDataAccessException') throw error;
      console.error(
        `The table stream no longer holds records after ${last} in shard ${shardId} (kept 24 hours): events of older changes were not published.`,
      );
      return get('TRIM_HORIZON');
    }
  }
}
