/**
 * What Powertools keeps per invocation (log keys, Lambda context, metrics) stays with its own
 * invocation, even while other invocations run in the same process: what `npm start` does, with
 * the real handlers behind the local server on DynamoDB Local. One order's DynamoDB call is held
 * until every other request (an order, a refused order, a bad body, a read, an EventBridge
 * restock) has finished, so their awaits interleave with it; then every line is checked.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient, setDocumentClient } from '../../functions/commons/dynamodb.js';
import { toHttpApiEvent } from '../../local/api-gateway-event.js';
import { createLambdaContext } from '../../local/lambda-context.js';
import { createRouteMatcher } from '../../local/route-matcher.js';
import { enableConcurrentInvocations, loadRouteHandlers } from '../../local/handler-loader.js';
import { closeServer, createLocalHttpServer, listenOnLoopback } from '../../local/http-server.js';
import { createTestTable } from '../support/dynamodb.js';

type LogLine = Record<string, unknown> & { level: string; message: string };
/** An embedded-metric-format document: the metric values at the top level. */
type MetricsDocument = Record<string, unknown> & { _aws: unknown };

const ORDER_ROUTE = 'POST /inventory/process_order';
const RESTOCK_ROUTE = 'POST /inventory/process_restock';

let server: Server;
let baseUrl: string;
let handlers: Awaited<ReturnType<typeof loadRouteHandlers>>;
let product: number;
let stockedOrder: string;

beforeAll(async () => {
  await enableConcurrentInvocations(); // as npm start does, before any AWS SDK call
  await createTestTable('invocation-context');
  // Handlers log at INFO and publish metrics here (the project's integration tests log only
  // errors and publish nothing); they read both when they load.
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  handlers = await loadRouteHandlers();
  server = createLocalHttpServer({ handlers, log: { request: () => {}, error: () => {} } });
  baseUrl = await listenOnLoopback(server, 0);

  product = 7_001;
  expect(
    (await send('POST', '/inventory/init_catalog', [{ product_id: product, product_name: 'RBC', mass_g: 300 }])).status,
  ).toBe(201);
  expect((await send('POST', '/inventory/process_restock', [{ product_id: product, quantity: 100 }])).status).toBe(200);
  stockedOrder = `kept-${randomUUID().slice(0, 8)}`;
  expect((await send('POST', '/inventory/process_order', order(stockedOrder, 1))).status).toBe(201);
});

afterAll(async () => {
  await closeServer(server);
  vi.unstubAllEnvs();
});

function order(orderId: string, quantity: number) {
  return { order_id: orderId, requested: [{ product_id: product, quantity }] };
}

async function send(method: string, path: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: await response.json() };
}

/** Holds the first DynamoDB call that names `marker` until `release()`; `reached` resolves when it is held. */
function holdDynamoDBCallNaming(marker: string) {
  const real = documentClient();
  let release!: () => void;
  let reached!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held = new Promise<void>((resolve) => (reached = resolve));
  let holding = true;
  setDocumentClient(
    new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: { input: unknown }, ...rest: unknown[]) => {
          if (holding && JSON.stringify(command.input).includes(marker)) {
            holding = false;
            reached();
            await released;
          }
          return (real.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
        };
      },
    }),
  );
  return { held, release, restore: () => setDocumentClient(real) };
}

/** Every JSON log line and metrics document written to stdout or stderr while `work` runs (kept off the test output). */
async function capture(work: () => Promise<void>): Promise<{ lines: LogLine[]; metrics: MetricsDocument[] }> {
  const lines: LogLine[] = [];
  const metrics: MetricsDocument[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const others: string[] = [];
      for (const text of String(chunk).split('\n')) {
        const entry = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined;
        if (typeof entry?.level === 'string' && typeof entry.message === 'string') lines.push(entry as LogLine);
        else if (entry && '_aws' in entry) metrics.push(entry as MetricsDocument);
        else if (text) others.push(text);
      }
      return others.length > 0 ? write(`${others.join('\n')}\n`, ...rest) : true;
    }) as typeof stream.write;
  }
  try {
    await work();
  } finally {
    for (const [i, stream] of streams.entries()) stream.write = writes[i]!;
  }
  return { lines, metrics };
}

describe('invocations running at once', () => {
  it('every log line carries the correlation_id, route, order_id and Lambda context of its own request; every invocation publishes its own metrics', async () => {
    const slow = `slow-${randomUUID().slice(0, 8)}`;
    const fast = `fast-${randomUUID().slice(0, 8)}`;
    const eventId = `event-${randomUUID()}`;
    const eventContext: Context = createLambdaContext('process-restock');
    const answers: Record<string, { status: number; requestId: string | null }> = {};

    const { lines, metrics } = await capture(async () => {
      const hold = holdDynamoDBCallNaming(slow);
      try {
        const slowOrder = send('POST', '/inventory/process_order', order(slow, 2));
        await hold.held; // the slow order is now suspended in the middle of its request
        const [fastOrder, conflict, badBody, read] = await Promise.all([
          send('POST', '/inventory/process_order', order(fast, 1)),
          send('POST', '/inventory/process_order', order(stockedOrder, 5)), // other lines: 409
          send('POST', '/inventory/process_restock', '[{"product_id": 1, "quantity": "a lot"}]'), // 400
          send('GET', `/inventory/orders/${stockedOrder}`),
          // process-restock also takes EventBridge events; the loader's handler is the same function.
          (
            handlers['process-restock'] as unknown as (
              e: EventBridgeEvent<'Restock', unknown>,
              c: Context,
            ) => Promise<unknown>
          )(restockEvent(eventId), eventContext),
        ]);
        Object.assign(answers, { fastOrder, conflict, badBody, read });
        hold.release();
        answers.slowOrder = await slowOrder;
      } finally {
        hold.release();
        hold.restore();
      }
    });

    expect(answers.slowOrder?.status).toBe(201);
    expect(answers.fastOrder?.status).toBe(201);
    expect(answers.conflict?.status).toBe(409);
    expect(answers.badBody?.status).toBe(400);
    expect(answers.read?.status).toBe(200);

    // Every line comes from some invocation, and names it.
    const unowned = lines.filter((line) => typeof line.correlation_id !== 'string' || !line.function_request_id);
    expect(unowned, 'lines without their request').toEqual([]);

    // Lines of one request (one correlation_id) agree on everything that names the request.
    const byRequest = new Map<string, LogLine[]>();
    for (const line of lines)
      byRequest.set(line.correlation_id as string, [...(byRequest.get(line.correlation_id as string) ?? []), line]);
    for (const [correlationId, own] of byRequest) {
      for (const key of ['route', 'function_request_id', 'function_name']) {
        expect(new Set(own.map((line) => line[key])).size, `${key} of ${correlationId}`).toBe(1);
      }
      const orderKeys = own.filter((line) => !line.message.startsWith('ship_package')).map((line) => line.order_id);
      expect(new Set(orderKeys).size, `order_id of ${correlationId}`).toBeLessThanOrEqual(1);
    }

    const one = (predicate: (line: LogLine) => boolean, what: string) => {
      const found = lines.filter(predicate);
      expect(found, what).toHaveLength(1);
      return found[0]!;
    };
    for (const orderId of [slow, fast]) {
      const placed = one((l) => l.message === 'order placed' && l.order_id === orderId, `order placed ${orderId}`);
      expect(placed).toMatchObject({ route: ORDER_ROUTE, function_name: 'fulfillment-local-process-order' });
      // Its packages were logged by the same request.
      const packages = lines.filter((l) => l.message.startsWith(`ship_package order=${orderId} `));
      expect(packages.length).toBeGreaterThan(0);
      for (const line of packages) expect(line.correlation_id).toBe(placed.correlation_id);
    }

    const refusedOrder = one((l) => l.correlation_id === answers.conflict?.requestId, 'the 409');
    expect(refusedOrder).toMatchObject({ message: 'request refused', route: ORDER_ROUTE, order_id: stockedOrder });
    const refusedBody = one((l) => l.correlation_id === answers.badBody?.requestId, 'the 400');
    expect(refusedBody).toMatchObject({ message: 'request refused', route: RESTOCK_ROUTE });
    expect(refusedBody).not.toHaveProperty('order_id');

    // Metrics: one document per invocation that recorded any, each with only its own counts.
    const orders = metrics.filter((document) => 'OrdersReceived' in document);
    expect(orders.map((document) => [document.OrdersReceived, document.UnitsShipped]).sort()).toEqual([
      [1, 1],
      [1, 2],
    ]);

    const event = one((l) => l.correlation_id === eventId, 'the EventBridge restock');
    expect(event).toMatchObject({ message: 'restock event applied', function_request_id: eventContext.awsRequestId });
    expect(event).not.toHaveProperty('route');
    expect(event).not.toHaveProperty('order_id');
  });
});

describe('invocations one after another (Lambda on demand)', () => {
  it('no key outlives its invocation, whether it answered or failed', async () => {
    // Called directly, outside any InvokeStore context: one process, one invocation at a time,
    // as on demand in AWS, where the keys are the process's own and resetKeys must drop them.
    const placed = `next-${randomUUID().slice(0, 8)}`;
    const { lines } = await capture(async () => {
      expect((await invokeDirectly('POST', '/inventory/process_order', order(placed, 1))).statusCode).toBe(201);
      expect((await invokeDirectly('POST', '/inventory/process_restock', '[]')).statusCode).toBe(422);
      expect((await invokeDirectly('POST', '/inventory/process_order', order(stockedOrder, 9))).statusCode).toBe(409);
      expect((await invokeDirectly('POST', '/inventory/init_catalog', '{')).statusCode).toBe(400);
    });
    const refusals = lines.filter((line) => line.message === 'request refused');
    expect(refusals.map((line) => [line.route, line.order_id])).toEqual([
      [RESTOCK_ROUTE, undefined],
      [ORDER_ROUTE, stockedOrder],
      ['POST /inventory/init_catalog', undefined],
    ]);
    expect(new Set(lines.map((line) => line.correlation_id)).size).toBe(4);
  });
});

/** Calls the route's handler module itself, with no runtime around it. */
async function invokeDirectly(method: string, path: string, body: unknown) {
  const route = createRouteMatcher()(method, path);
  if (route.kind !== 'found') throw new Error(`no route ${method} ${path}`);
  const event = toHttpApiEvent(
    {
      method,
      url: path,
      rawHeaders: ['content-type', 'application/json'],
      httpVersion: '1.1',
      sourceIp: '127.0.0.1',
      body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    },
    route,
  );
  const module = (await import(`../../functions/handlers/${route.route.handler}.ts`)) as {
    handler: (e: typeof event, c: Context) => Promise<{ statusCode: number }>;
  };
  return module.handler(event, createLambdaContext(`fulfillment-local-${route.route.handler}`));
}

function restockEvent(id: string): EventBridgeEvent<'Restock', unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'Restock',
    source: 'fulfillment.restock',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { restock: [{ product_id: product, quantity: 1 }] },
  };
}
