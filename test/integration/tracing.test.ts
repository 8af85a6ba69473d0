/**
 * Traces as Lambda would send them: tracing is switched on the way the Lambda runtime does it
 * (AWS_EXECUTION_ENV, LAMBDA_TASK_ROOT, a sampled _X_AMZN_TRACE_ID), and a UDP socket on
 * loopback stands in for the X-Ray daemon, so the test reads the very segments the X-Ray SDK
 * emits. Checks what docs/runbook.md promises: a `## <function>` subsegment per invocation
 * annotated with the order_id, and one subsegment per DynamoDB call below it.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestTable } from '../support/dynamodb.js';

interface SegmentDocument {
  id: string;
  name: string;
  namespace?: string;
  parent_id?: string;
  annotations?: Record<string, string | number | boolean>;
  aws?: { operation?: string; table_name?: string };
  subsegments?: SegmentDocument[];
}

const TRACE_ID = '1-6740a1b2-0123456789abcdef01234567';
const received: SegmentDocument[] = [];
let daemon: Socket;

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    // Each datagram is `{"format":"json","version":1}\n<segment JSON>`.
    const body = message.toString('utf8').split('\n').slice(1).join('\n');
    if (body) received.push(JSON.parse(body) as SegmentDocument);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
  vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
  vi.stubEnv('_X_AMZN_TRACE_ID', `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`);
  vi.stubEnv('AWS_XRAY_DAEMON_ADDRESS', `127.0.0.1:${daemon.address().port}`);
  vi.stubEnv('AWS_XRAY_CONTEXT_MISSING', 'IGNORE_ERROR');
  await createTestTable('tracing');
});

afterAll(() => {
  vi.unstubAllEnvs();
  daemon?.close();
});

/** Every (sub)segment received so far, flattened. */
function allSegments(): SegmentDocument[] {
  const out: SegmentDocument[] = [];
  const visit = (s: SegmentDocument) => {
    out.push(s);
    s.subsegments?.forEach(visit);
  };
  received.forEach(visit);
  return out;
}

async function waitFor<T>(find: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not received; got ${JSON.stringify(allSegments().map((s) => s.name))}`);
}

describe('X-Ray traces', () => {
  it('an order: one handler subsegment annotated with the order_id, its DynamoDB calls below it', async () => {
    // Imported only now: the tracer decides at module load whether tracing is on.
    const { post } = await import('../support/api.js');
    const catalog = await post('/inventory/init_catalog', [{ product_name: 'RBC A+ Adult', mass_g: 700 }]);
    expect(catalog.status).toBe(201);
    const productId = catalog.body.products[0].product_id;
    await post('/inventory/process_restock', [{ product_id: productId, quantity: 5 }]);

    const order = await post('/inventory/process_order', {
      order_id: 'trace-me-1',
      requested: [{ product_id: productId, quantity: 2 }],
    });
    expect(order.status).toBe(201);

    const handlerSegment = await waitFor(() =>
      allSegments().find((s) => s.name === '## process-order' && s.annotations?.order_id === 'trace-me-1'),
    );
    expect(handlerSegment.annotations).toMatchObject({
      order_id: 'trace-me-1',
      route: 'POST /inventory/process_order',
      ColdStart: expect.any(Boolean),
      Service: 'fulfillment',
    });

    // Below the handler's subsegment: nested in it, or streamed on its own pointing at it by id.
    const below = (s: SegmentDocument) => s.parent_id === handlerSegment.id || handlerSegment.subsegments?.includes(s);
    const write = allSegments().find(
      (s) => s.name === 'DynamoDB' && s.aws?.operation === 'TransactWriteItems' && below(s),
    );
    expect(write, "the order's TransactWriteItems as a subsegment of ## process-order").toMatchObject({
      namespace: 'aws',
    });
  });

  it('a restock event is traced with its event id as correlation id', async () => {
    const { sendRestockEvent, post } = await import('../support/api.js');
    const catalog = await post('/inventory/init_catalog', [{ product_name: 'PLT AB+ Adult', mass_g: 80 }]);
    await sendRestockEvent([{ product_id: catalog.body.products[0].product_id, quantity: 3 }], 'event-traced-1');
    const segment = await waitFor(() =>
      allSegments().find((s) => s.name === '## process-restock' && s.annotations?.correlation_id === 'event-traced-1'),
    );
    expect(segment.annotations?.Service).toBe('fulfillment');
  });
});
