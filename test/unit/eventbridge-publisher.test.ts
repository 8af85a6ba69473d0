/**
 * The EventBridge publisher (functions/bus/eventbridge-publisher.ts) against a fake PutEvents:
 * PutEvents answers 200 when entries failed, so only FailedEntryCount and the entries' ErrorCodes
 * say which; those are sent again, and one that never gets through makes its stream record fail
 * (use-cases/publish-events.ts), so that Lambda delivers it again.
 */
import type { PutEventsCommandInput, PutEventsResponse } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEventBridgePublisher,
  MAX_BYTES_PER_CALL,
  MAX_ENTRIES_PER_CALL,
} from '../../functions/bus/eventbridge-publisher.js';
import { logger } from '../../functions/commons/logger.js';
import type { MovementRecord } from '../../functions/domain/movement.js';
import { EVENT_SOURCE, type OutboundEvent } from '../../functions/domain/outbound-events.js';
import { putMovements } from '../../functions/store/items/movement-item.js';
import { publishEvents } from '../../functions/use-cases/publish-events.js';

beforeAll(() => {
  process.env.TABLE_NAME ??= 'unit-test';
  // The publisher logs what failed; this test reads the outcome, not the log.
  logger.setLogLevel('SILENT');
});
afterAll(() => logger.setLogLevel('INFO'));

const writtenOff = (n: number, note = ''): OutboundEvent => ({
  detailType: 'StockWrittenOff',
  time: '2026-12-01T11:00:00.000Z',
  detail: { event_id: `stock-written-off:42-${n}`, product_id: 42, lot: note || null, quantity: 1, reason: 'damaged' },
});

type Answer = (entries: NonNullable<PutEventsCommandInput['Entries']>) => PutEventsResponse;

/** A fake PutEvents that records every call and answers as `answer` says (default: all taken). */
function fakePutEvents(answer: Answer = (entries) => ({ FailedEntryCount: 0, Entries: entries.map(taken) })) {
  const calls: NonNullable<PutEventsCommandInput['Entries']>[] = [];
  return {
    calls,
    sentIds: () => calls.flat().map((entry) => JSON.parse(entry.Detail!).event_id as string),
    putEvents: async (input: PutEventsCommandInput) => {
      calls.push(input.Entries!);
      return answer(input.Entries!);
    },
  };
}
const taken = (_: unknown, i: number) => ({ EventId: `id-${i}` });
const refused = { ErrorCode: 'InternalFailure', ErrorMessage: 'injected' };
const idOf = (entry: { Detail?: string }) => JSON.parse(entry.Detail!).event_id as string;

const publisherWith = (putEvents: (input: PutEventsCommandInput) => Promise<PutEventsResponse>) =>
  createEventBridgePublisher({ busName: 'fulfillment-test', putEvents, backoffMs: () => 0 });

describe('EventBridge publisher', () => {
  it('sends each event to the bus with the source, its name as detail-type, its detail and time', async () => {
    const fake = fakePutEvents();
    await expect(publisherWith(fake.putEvents).publish([writtenOff(1)])).resolves.toEqual({ failed: [] });
    expect(fake.calls).toEqual([
      [
        {
          EventBusName: 'fulfillment-test',
          Source: EVENT_SOURCE,
          DetailType: 'StockWrittenOff',
          Detail: JSON.stringify(writtenOff(1).detail),
          Time: new Date('2026-12-01T11:00:00.000Z'),
        },
      ],
    ]);
  });

  it('sends at most 10 entries per call', async () => {
    const fake = fakePutEvents();
    const events = Array.from({ length: 25 }, (_, i) => writtenOff(i));
    await publisherWith(fake.putEvents).publish(events);
    expect(fake.calls.map((call) => call.length)).toEqual([MAX_ENTRIES_PER_CALL, MAX_ENTRIES_PER_CALL, 5]);
    expect(fake.sentIds()).toEqual(events.map((e) => e.detail.event_id));
  });

  it('keeps each call within 256 KiB', async () => {
    const fake = fakePutEvents();
    const big = 'x'.repeat(100 * 1024);
    await publisherWith(fake.putEvents).publish([writtenOff(1, big), writtenOff(2, big), writtenOff(3, big)]);
    expect(fake.calls.map((call) => call.length)).toEqual([2, 1]);
    for (const call of fake.calls) {
      expect(
        call.reduce((n, e) => n + 14 + e.Source!.length + e.DetailType!.length + e.Detail!.length, 0),
      ).toBeLessThan(MAX_BYTES_PER_CALL);
    }
  });

  it('sends again an entry that PutEvents did not take, though it answered 200', async () => {
    let failedOnce = false;
    const fake = fakePutEvents((entries) => {
      const failHere = failedOnce ? -1 : entries.findIndex((e) => idOf(e) === 'stock-written-off:42-3');
      if (failHere >= 0) failedOnce = true;
      return {
        FailedEntryCount: failHere >= 0 ? 1 : 0,
        Entries: entries.map((e, i) => (i === failHere ? refused : taken(e, i))),
      };
    });
    const events = Array.from({ length: 5 }, (_, i) => writtenOff(i));
    await expect(publisherWith(fake.putEvents).publish(events)).resolves.toEqual({ failed: [] });
    expect(fake.calls.map((call) => call.map(idOf))).toEqual([
      events.map((e) => e.detail.event_id),
      ['stock-written-off:42-3'],
    ]);
  });

  it('sends again every entry of a call that threw', async () => {
    let calls = 0;
    const fake = fakePutEvents((entries) => {
      if (++calls === 1) throw new Error('injected: connection reset');
      return { FailedEntryCount: 0, Entries: entries.map(taken) };
    });
    await expect(publisherWith(fake.putEvents).publish([writtenOff(1), writtenOff(2)])).resolves.toEqual({
      failed: [],
    });
    expect(fake.calls).toHaveLength(2);
  });

  it('names an entry that keeps failing, after its attempts, and only it', async () => {
    const fake = fakePutEvents((entries) => ({
      FailedEntryCount: entries.filter((e) => idOf(e) === 'stock-written-off:42-2').length,
      Entries: entries.map((e, i) => (idOf(e) === 'stock-written-off:42-2' ? refused : taken(e, i))),
    }));
    const result = await publisherWith(fake.putEvents).publish([writtenOff(1), writtenOff(2), writtenOff(3)]);
    expect(result).toEqual({ failed: ['stock-written-off:42-2'] });
    expect(fake.sentIds().filter((id) => id === 'stock-written-off:42-2')).toHaveLength(4);
    expect(fake.sentIds().filter((id) => id === 'stock-written-off:42-1')).toHaveLength(1);
  });
});

describe('publishing a batch of stream records', () => {
  const movement = (seq: number, quantity: number): MovementRecord => ({
    productId: 42,
    seq,
    at: '2026-12-01T11:00:00.000Z',
    lot: null,
    quantity,
    onHandAfter: 0,
    cause: { kind: 'write_off', reason: 'expired', writeOffKey: `wo-${seq}` },
  });
  const record = (id: string, seq: number) => ({
    id,
    record: {
      eventName: 'INSERT',
      dynamodb: {
        NewImage: marshall(putMovements([movement(seq, -1)]).Put!.Item as Record<string, unknown>) as Record<
          string,
          unknown
        >,
      },
    },
  });

  it('fails the record whose event PutEvents keeps refusing, and only it', async () => {
    const fake = fakePutEvents((entries) => ({
      FailedEntryCount: entries.filter((e) => idOf(e) === 'stock-written-off:42-2').length,
      Entries: entries.map((e, i) => (idOf(e) === 'stock-written-off:42-2' ? refused : taken(e, i))),
    }));
    const report = await publishEvents(
      [record('s1', 1), record('s2', 2), record('s3', 3)],
      publisherWith(fake.putEvents),
    );
    expect(report).toEqual({ published: 2, failedRecords: ['s2'] });
  });

  it('fails no record when an entry got through on a second try', async () => {
    let refusedOnce = false;
    const fake = fakePutEvents((entries) => {
      const fail = !refusedOnce;
      refusedOnce = true;
      return {
        FailedEntryCount: fail ? 1 : 0,
        Entries: entries.map((e, i) => (fail && i === 0 ? refused : taken(e, i))),
      };
    });
    const report = await publishEvents([record('s1', 1), record('s2', 2)], publisherWith(fake.putEvents));
    expect(report).toEqual({ published: 2, failedRecords: [] });
    expect(fake.calls).toHaveLength(2);
  });
});
