/**
 * Outbound events (SPEC v2 "Outbound events") end to end on DynamoDB Local: orders, restocks and
 * cancellations through the real handlers, the table's stream read as `npm start` reads it
 * (local/table-stream.ts), and the same use case as the Lambda function (publishEvents) with a
 * publisher that records what it is given. Then the Lambda handler itself, fed the same records
 * as Lambda's event, with an EventBridge client that refuses entries.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBStreamsClient, type _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEventBridgeClient } from '../../functions/bus/eventbridge-publisher.js';
import { logger } from '../../functions/commons/logger.js';
import type { MovementRecord } from '../../functions/domain/movement.js';
import { newEventId } from '../../functions/domain/order-record.js';
import type { EventPublisher, OutboundEvent } from '../../functions/domain/outbound-events.js';
import { putMovements } from '../../functions/store/items/movement-item.js';
import { putShipment } from '../../functions/store/items/shipment-item.js';
import { orderKeyOf } from '../../functions/store/keys.js';
import { commit } from '../../functions/store/transactions.js';
import { publishEvents } from '../../functions/use-cases/publish-events.js';
import { sequenceLedger } from '../../functions/use-cases/sequence-ledger.js';
import { loadBackgroundHandler } from '../../local/handler-loader.js';
import { createLambdaContext } from '../../local/lambda-context.js';
import { localClientConfig } from '../../local/local-aws-env.js';
import { TableStreamReader } from '../../local/table-stream.js';
import { call, catalog, get, post, productIds, uniqueOrderId } from '../support/api.js';
import { createTestTable, dynamodbEndpoint, testDynamoDBClient } from '../support/dynamodb.js';

let streams: DynamoDBStreamsClient;
let reader: TableStreamReader;

beforeAll(async () => {
  const table = await createTestTable('events', { stream: true });
  const client = testDynamoDBClient();
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    streams = new DynamoDBStreamsClient(localClientConfig(dynamodbEndpoint()));
    reader = await TableStreamReader.open(streams, Table!.LatestStreamArn!, 'oldest');
  } finally {
    client.destroy();
  }
});
afterAll(() => streams?.destroy());

const asInput = (records: _Record[]) => records.map((record) => ({ id: record.dynamodb!.SequenceNumber!, record }));

/** A publisher that keeps every event it is given. */
function recorder(): EventPublisher & { events: OutboundEvent[] } {
  const events: OutboundEvent[] = [];
  return {
    events,
    publish: async (batch) => {
      events.push(...batch);
      return { failed: [] };
    },
  };
}

/**
 * Every record committed since the last call, published as `npm start` would: the events and the
 * records. `sequence`: the ledger's sequencer runs on each batch first, as in `npm start`.
 */
async function publishNew({ sequence = false } = {}): Promise<{ events: OutboundEvent[]; records: _Record[] }> {
  const publisher = recorder();
  const records: _Record[] = [];
  for (;;) {
    const batch = await reader.next();
    if (batch.records.length > 0) {
      if (sequence) expect((await sequenceLedger(batch.records)).problems).toBe(0);
      const report = await publishEvents(asInput(batch.records), publisher);
      expect(report.failedRecords).toEqual([]);
    }
    batch.commit();
    if (batch.records.length === 0) return { events: publisher.events, records };
    records.push(...batch.records);
  }
}

const ofType = (events: OutboundEvent[], type: OutboundEvent['detailType']) =>
  events.filter((e) => e.detailType === type);
const ids = (events: OutboundEvent[]) => events.map((e) => e.detail.event_id);
const summaryOf = ({ shipments, ...rest }: any) => ({ ...rest, packages: shipments.length });
const placeOrder = (lines: Array<[number, number]>, order_id: string | number = uniqueOrderId('ev')) =>
  post('/inventory/process_order', {
    order_id,
    requested: lines.map(([product_id, quantity]) => ({ product_id, quantity })),
  });
const restock = (lines: Array<[number, number]>) =>
  post(
    '/inventory/process_restock',
    lines.map(([product_id, quantity]) => ({ product_id, quantity })),
  );

describe('outbound events from the table stream', () => {
  let firstRecords: _Record[] = [];
  let firstEvents: OutboundEvent[] = [];

  it('gives every package exactly one PackageShipped, by event id, carrying the shipment of the order view', async () => {
    const [rbc, ffp, box] = (await catalog([700, 300, 1800])) as [number, number, number];
    await restock([
      [rbc, 4],
      [ffp, 5],
      [box, 1],
    ]);
    const orders = [
      // Shipped whole at creation, in several packages.
      await placeOrder([
        [rbc, 3],
        [ffp, 4],
      ]),
      // Partly shipped, the rest waits; then the restock below ships it.
      await placeOrder([
        [box, 2],
        [rbc, 1],
      ]),
      // Nothing on hand: waits whole, then shipped by the restock.
      await placeOrder([[box, 1]], Math.floor(Math.random() * 2 ** 40)),
    ];
    expect(orders.map((o) => o.body.status)).toEqual(['fulfilled', 'partially_shipped', 'backordered']);
    const filled = await restock([[box, 5]]);
    expect(filled.body.shipments.length).toBeGreaterThan(0);

    const { events, records } = await publishNew();
    const views = await Promise.all(orders.map(async (o) => (await get(`/inventory/orders/${o.body.order_id}`)).body));
    const packages = views.flatMap((v) => v.shipments);
    const shipped = ofType(events, 'PackageShipped');
    expect(new Set(ids(shipped)).size, 'no event id twice').toBe(shipped.length);
    expect(shipped).toHaveLength(packages.length);
    const byShipmentId = (a: any, b: any) => a.shipment_id.localeCompare(b.shipment_id);
    expect(shipped.map((e) => (e.detail as any).shipment).sort(byShipmentId)).toEqual([...packages].sort(byShipmentId));
    // The integer order id stays an integer in the shipment.
    expect(shipped.some((e) => (e.detail as any).shipment.order_id === orders[2]!.body.order_id)).toBe(true);
    firstRecords = records;
    firstEvents = events;
  });

  it('gives an order fulfilled at creation or by a restock one OrderFulfilled with its OrderSummary, and none while it waits', async () => {
    const [rbc] = (await catalog([700])) as [number];
    await restock([[rbc, 3]]);
    const atCreation = (await placeOrder([[rbc, 2]])).body;
    const partly = (await placeOrder([[rbc, 3]])).body;
    const stillWaiting = (await placeOrder([[rbc, 4]])).body;
    expect([atCreation.status, partly.status, stillWaiting.status]).toEqual([
      'fulfilled',
      'partially_shipped',
      'backordered',
    ]);
    // `partly` has a package: its shipment's record reads the order, which still waits.
    const before = await publishNew();
    expect(ids(ofType(before.events, 'PackageShipped')).some((id) => id.includes(`:${partly.order_id}/`))).toBe(true);
    expect(ids(ofType(before.events, 'OrderFulfilled'))).toEqual([`order-fulfilled:${atCreation.order_id}`]);

    await restock([[rbc, 2]]);
    const after = await publishNew();
    expect(ids(ofType(after.events, 'OrderFulfilled'))).toEqual([`order-fulfilled:${partly.order_id}`]);

    for (const [order, events] of [
      [atCreation, before.events],
      [partly, after.events],
    ] as const) {
      const view = (await get(`/inventory/orders/${order.order_id}`)).body;
      const [event] = ofType(events, 'OrderFulfilled');
      expect((event!.detail as any).order).toEqual(summaryOf(view));
      expect((event!.detail as any).order.status).toBe('fulfilled');
    }
  });

  it('gives a cancelled order one OrderCancelled with its OrderSummary; cancelling it again publishes nothing', async () => {
    const [rbc, ffp] = (await catalog([700, 300])) as [number, number];
    await restock([[rbc, 1]]);
    const placed = (
      await placeOrder([
        [rbc, 3],
        [ffp, 2],
      ])
    ).body;
    const cancelled = await call('POST', `/inventory/orders/${placed.order_id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    // A cancellation in two parts (more waiting lines than one transaction holds) is one event too.
    const many = await catalog(Array.from({ length: 60 }, () => 100));
    const large = (await placeOrder(many.map((id) => [id, 1]))).body;
    expect((await call('POST', `/inventory/orders/${large.order_id}/cancel`)).body.status).toBe('cancelled');

    const { events } = await publishNew();
    const orderEvents = events.filter((e) => e.detailType !== 'PackageShipped');
    // At least once: each part's record finds the order settled if the other part committed
    // first, and records read in two batches then publish the id twice. One id per order.
    const distinct = [...new Map(orderEvents.map((e) => [e.detail.event_id, e.detailType])).entries()];
    expect(distinct.map(([id, type]) => [type, id]).sort()).toEqual(
      [
        ['OrderCancelled', `order-cancelled:${placed.order_id}`],
        ['OrderCancelled', `order-cancelled:${large.order_id}`],
      ].sort(),
    );
    const event = orderEvents.find((e) => e.detail.event_id === `order-cancelled:${placed.order_id}`)!;
    expect((event.detail as any).order).toEqual(summaryOf(cancelled.body));
    expect((event.detail as any).order).toMatchObject({ status: 'cancelled', packages: 1 });

    expect((await call('POST', `/inventory/orders/${placed.order_id}/cancel`)).status).toBe(200);
    expect((await publishNew()).events).toEqual([]);
  });

  it('gives each write-off movement of a MovementItem one StockWrittenOff, and restock movements none', async () => {
    const [product] = productIds(1) as [number];
    const at = new Date().toISOString();
    const movement = (seq: number, quantity: number, lot: string | null, cause: MovementRecord['cause']) => ({
      productId: product,
      seq,
      at,
      lot,
      quantity,
      onHandAfter: 0,
      cause,
    });
    const committed = await Promise.all([
      commit([putMovements([movement(1, 10, null, { kind: 'restock', restockKey: 'r-1' })])]),
      commit([
        putMovements([
          movement(2, -3, 'L1', { kind: 'write_off', reason: 'damaged', writeOffKey: 'wo-1' }),
          movement(3, -1, null, { kind: 'write_off', reason: 'temperature_excursion', writeOffKey: 'wo-1' }),
        ]),
      ]),
    ]);
    expect(committed.every((c) => c.ok)).toBe(true);

    expect((await publishNew()).events).toEqual([
      {
        detailType: 'StockWrittenOff',
        time: at,
        detail: {
          event_id: `stock-written-off:${product}-2`,
          product_id: product,
          lot: 'L1',
          quantity: 3,
          reason: 'damaged',
        },
      },
      {
        detailType: 'StockWrittenOff',
        time: at,
        detail: {
          event_id: `stock-written-off:${product}-3`,
          product_id: product,
          lot: null,
          quantity: 1,
          reason: 'temperature_excursion',
        },
      },
    ]);
  });

  it('gives a write-off through the API one StockWrittenOff per line once the ledger lists its movements, as npm start does', async () => {
    const [plt] = (await catalog([120])) as [number];
    await restock([[plt, 5]]);
    await publishNew();
    const res = await post(
      '/inventory/write_offs',
      [
        { product_id: plt, quantity: 2, reason: 'damaged' },
        { product_id: plt, quantity: 1, reason: 'temperature_excursion' },
      ],
      { 'Idempotency-Key': 'events-write-off-1' },
    );
    expect(res.status).toBe(200);
    // Each batch: the sequencer lists the movements, then the events are published; the movements'
    // inserts come back on the stream in a later batch and make the events.
    const { events } = await publishNew({ sequence: true });
    expect(ofType(events, 'StockWrittenOff').map((e) => e.detail)).toEqual([
      { event_id: `stock-written-off:${plt}-2`, product_id: plt, lot: null, quantity: 2, reason: 'damaged' },
      {
        event_id: `stock-written-off:${plt}-3`,
        product_id: plt,
        lot: null,
        quantity: 1,
        reason: 'temperature_excursion',
      },
    ]);
  });

  it('gives the same event ids when the same records are delivered again', async () => {
    expect(firstRecords.length).toBeGreaterThan(0);
    const again = recorder();
    await publishEvents(asInput(firstRecords), again);
    expect(ids(again.events).sort()).toEqual(ids(firstEvents).sort());
    // Delivered twice in one batch, each event is still handed over once.
    const twice = recorder();
    await publishEvents([...asInput(firstRecords), ...asInput(firstRecords)], twice);
    expect(ids(twice.events).sort()).toEqual(ids(firstEvents).sort());
  });

  it('publishes nothing for a transaction that failed', async () => {
    const [rbc] = (await catalog([700])) as [number];
    await restock([[rbc, 1]]);
    const placed = (await placeOrder([[rbc, 2]])).body;
    await publishNew();

    // A shipment written in a transaction whose other condition fails: nothing commits.
    const orderKey = String(placed.order_id);
    const shipment = {
      eventId: newEventId(),
      requestId: 'test',
      shippedAt: new Date().toISOString(),
      patterns: [{ mass_g: 700, count: 1, lines: [{ product_id: rbc, quantity: 1 }] }],
    };
    const result = await commit([
      putShipment(orderKey, placed.order_id, shipment),
      {
        ConditionCheck: {
          TableName: process.env.TABLE_NAME!,
          Key: orderKeyOf(orderKey),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    expect(result.ok).toBe(false);
    // Requests refused before any write: a replay with another body, cancelling a fulfilled order.
    expect((await placeOrder([[rbc, 3]], placed.order_id)).status).toBe(409);
    const done = (await placeOrder([[rbc, 1]])).body;
    await restock([[rbc, 2]]);
    expect((await call('POST', `/inventory/orders/${done.order_id}/cancel`)).status).toBe(409);

    const { events } = await publishNew();
    expect(ids(events).filter((id) => id.includes(shipment.eventId))).toEqual([]);
    // What was published is exactly what committed: the packages the restock shipped (the first
    // package of `placed` was published before), and the two orders it settled.
    const placedView = (await get(`/inventory/orders/${placed.order_id}`)).body;
    const doneView = (await get(`/inventory/orders/${done.order_id}`)).body;
    expect([placedView.status, doneView.status]).toEqual(['fulfilled', 'fulfilled']);
    const packageId = (view: any, s: any) => `package-shipped:${view.order_id}/${s.shipment_id}`;
    expect(ids(ofType(events, 'PackageShipped')).sort()).toEqual(
      [
        ...placedView.shipments.slice(1).map((s: any) => packageId(placedView, s)),
        ...doneView.shipments.map((s: any) => packageId(doneView, s)),
      ].sort(),
    );
    expect(ids(events.filter((e) => e.detailType !== 'PackageShipped')).sort()).toEqual(
      [`order-fulfilled:${placed.order_id}`, `order-fulfilled:${done.order_id}`].sort(),
    );
  });
});

describe('the publish-events Lambda handler', () => {
  /** A stream record as Lambda delivers it (the Streams API's record, with a number for the time). */
  const lambdaRecord = (record: _Record): DynamoDBRecord =>
    ({
      ...record,
      dynamodb: {
        ...record.dynamodb,
        ApproximateCreationDateTime: Math.floor((record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? 0) / 1000),
      },
    }) as DynamoDBRecord;

  it('puts the events on the bus, and hands back the record of an entry PutEvents keeps refusing', async () => {
    const [rbc] = (await catalog([700])) as [number];
    await restock([[rbc, 3]]);
    const kept = (await placeOrder([[rbc, 1]])).body;
    const refused = (await placeOrder([[rbc, 2]])).body;
    await publishNew();
    const records = firstRecordsOf(await readAgain(), [kept.order_id, refused.order_id]);

    const calls: PutEventsCommand['input'][] = [];
    const refusedId = `order-fulfilled:${refused.order_id}`;
    setEventBridgeClient({
      send: async (command: PutEventsCommand) => {
        calls.push(command.input);
        const entries = command.input.Entries ?? [];
        const failing = entries.map((e) => JSON.parse(e.Detail!).event_id === refusedId);
        return {
          FailedEntryCount: failing.filter(Boolean).length,
          Entries: failing.map((fails, i) => (fails ? { ErrorCode: 'InternalFailure' } : { EventId: `e${i}` })),
        };
      },
    } as unknown as EventBridgeClient);
    process.env.EVENT_BUS_NAME = 'fulfillment-test';
    logger.setLogLevel('SILENT');
    try {
      const handler = await loadBackgroundHandler('publish-events');
      const event: DynamoDBStreamEvent = { Records: records.map(lambdaRecord) };
      const answer = await handler(event, createLambdaContext('publish-events', 120_000));

      const refusedRecord = records.find(
        (r) => r.dynamodb?.Keys?.pk?.S === `ORDER#${refused.order_id}` && r.dynamodb?.Keys?.sk?.S?.startsWith('SHIP#'),
      )!;
      expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: refusedRecord.dynamodb!.SequenceNumber }] });
      const sent = calls.flatMap((c) => c.Entries ?? []);
      expect(new Set(sent.map((e) => e.EventBusName))).toEqual(new Set(['fulfillment-test']));
      expect(new Set(sent.map((e) => e.Source))).toEqual(new Set(['fulfillment.service']));
      const sentIds = sent.map((e) => JSON.parse(e.Detail!).event_id as string);
      expect(sentIds).toContain(`order-fulfilled:${kept.order_id}`);
      // Refused every time it was sent: tried again before the record was handed back.
      expect(sentIds.filter((id) => id === refusedId).length).toBeGreaterThan(1);
    } finally {
      setEventBridgeClient(undefined);
      logger.setLogLevel('ERROR');
    }
  });
});

/** Every record of the stream from its start, with a reader of its own. */
async function readAgain(): Promise<_Record[]> {
  const again = await TableStreamReader.open(streams, reader.streamArn, 'oldest', 1000);
  const records: _Record[] = [];
  for (let batch = await again.next(); batch.records.length > 0; batch = await again.next()) {
    records.push(...batch.records);
    batch.commit();
  }
  return records;
}

/** The records of these orders' partitions. */
function firstRecordsOf(records: _Record[], orderIds: Array<string | number>): _Record[] {
  const partitions = new Set(orderIds.map((id) => `ORDER#${id}`));
  return records.filter((r) => partitions.has(String(r.dynamodb?.Keys?.pk?.S)));
}
