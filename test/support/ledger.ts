/**
 * Lists the movements of every stock write so far, as the sequencer does in AWS from the table's
 * stream: reads the current test table's whole stream (every shard from its start) and hands the
 * records to the sequencer. Sequencing is idempotent, so reading from the start each time is safe.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { tableName } from '../../functions/commons/dynamodb.js';
import { type SequenceOutcome, sequenceMovements } from '../../functions/store/ledger-store.js';
import { localClientConfig } from '../../local/local-aws-env.js';
import { dynamodbEndpoint } from './dynamodb.js';

/** Every record of the table's stream, each shard after its parent, oldest first. */
export async function streamRecords(): Promise<_Record[]> {
  const config = localClientConfig(dynamodbEndpoint());
  const dynamodb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  try {
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: tableName() }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`table ${tableName()} has no stream`);
    const shards = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards ?? [];
    const ordered = [...shards].sort((a, b) =>
      a.ShardId === b.ParentShardId ? -1 : b.ShardId === a.ParentShardId ? 1 : 0,
    );
    const records: _Record[] = [];
    for (const shard of ordered) {
      let iterator = (
        await streams.send(
          new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
        )
      ).ShardIterator;
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        records.push(...(page.Records ?? []));
        // An open shard answers an empty page at its end: all there is so far.
        if ((page.Records ?? []).length === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return records;
  } finally {
    dynamodb.destroy();
    streams.destroy();
  }
}

/** Sequences every stock write so far; fails on any write that did not match its product's change. */
export async function sequenceLedger(): Promise<SequenceOutcome> {
  const outcome = await sequenceMovements((await streamRecords()) as never);
  if (outcome.problems.length > 0) throw new Error(`ledger: ${outcome.problems.join('; ')}`);
  return outcome;
}
