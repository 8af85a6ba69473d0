/**
 * Outbound events under `npm start` (SPEC v2: "Locally `npm start` prints each event and, when
 * EVENTS_WEBHOOK_URL is set, POSTs it there as JSON (`{detail_type, detail}`)"): a webhook on
 * 127.0.0.1 in this test receives what the service publishes for an order placed over HTTP. Then
 * restarts on the same data directory: after a clean stop nothing is published again, and events
 * of an order committed just before a crash (`kill -9`, before the stream was read) are published
 * after the restart; an export imported back publishes nothing; a webhook that is down stops
 * nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDataTool } from '../support/data-tools.js';
import { type RunningService, startService } from '../support/npm-start.js';

interface Delivery {
  detail_type: string;
  detail: { event_id: string; [key: string]: any };
}

let webhook: Server;
let webhookUrl: string;
const delivered: Delivery[] = [];
let service: RunningService | undefined;
let dataDir: string | undefined;

beforeAll(async () => {
  webhook = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      delivered.push(JSON.parse(body) as Delivery);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hooks/fulfillment`;
});
afterAll(() => new Promise<void>((resolve) => webhook.close(() => resolve())));
afterEach(() => {
  service?.kill();
  service = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

const ready = (url: string) => `Try: curl -s ${url}`;
const start = (env: Record<string, string> = {}) =>
  startService([], ready, { env: { EVENTS_WEBHOOK_URL: webhookUrl, DATA_DIR: dataDir!, ...env } });

async function postJson(url: string, body: unknown): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return response.json();
}

/** A product with stock, and an order for it shipped at once; returns the order's view. */
async function shippedOrder(url: string, orderId: string): Promise<any> {
  const { products } = await postJson(`${url}/inventory/init_catalog`, [{ product_name: 'RBC A+ Adult', mass_g: 700 }]);
  const productId = products[0].product_id;
  await postJson(`${url}/inventory/process_restock`, [{ product_id: productId, quantity: 3 }]);
  return postJson(`${url}/inventory/process_order`, {
    order_id: orderId,
    requested: [{ product_id: productId, quantity: 3 }],
  });
}

async function waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const deliveredFor = (orderId: string) =>
  delivered.filter((d) => d.detail.event_id.includes(`:${orderId}`) || d.detail.shipment?.order_id === orderId);

describe('npm start publishes outbound events', () => {
  it('prints each event and POSTs {detail_type, detail} to EVENTS_WEBHOOK_URL; a restart goes on where it stopped; a webhook down stops nothing', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'events-npm-start-'));
    service = await start();
    expect(service.output()).toContain(`POSTed to ${webhookUrl}`);

    const first = await shippedOrder(service.url, 'evt-first');
    expect(first.status).toBe('fulfilled');
    const fulfilled = await waitFor(
      () => delivered.find((d) => d.detail_type === 'OrderFulfilled' && d.detail.order.order_id === 'evt-first'),
      'OrderFulfilled of evt-first at the webhook',
    );
    const packages = deliveredFor('evt-first').filter((d) => d.detail_type === 'PackageShipped');
    expect(packages.map((d) => d.detail.shipment)).toEqual(first.shipments);
    expect(packages[0]).toEqual({
      detail_type: 'PackageShipped',
      detail: {
        event_id: `package-shipped:evt-first/${first.shipments[0].shipment_id}`,
        shipment: first.shipments[0],
      },
    });
    const { shipments, ...summary } = first;
    expect(fulfilled.detail.order).toEqual({ ...summary, packages: shipments.length });
    // One readable line per event in the service's output.
    await waitFor(
      () =>
        service!.output().includes(`event OrderFulfilled {"event_id":"order-fulfilled:evt-first"`) ? true : undefined,
      'the printed OrderFulfilled line',
    );
    expect(service.output()).toContain(`event PackageShipped {"event_id":"${packages[0]!.detail.event_id}"`);

    // A clean stop, then a run that reads the stream only at start (a long pause after) and is
    // killed outright right after an order commits: its events were not published yet.
    service.signal('SIGTERM');
    expect(await service.exited).toBe(0);
    service = await start({ EVENTS_POLL_INTERVAL_MS: '600000' });
    const second = await shippedOrder(service.url, 'evt-second');
    expect(second.status).toBe('fulfilled');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(deliveredFor('evt-second')).toEqual([]);
    service.kill();
    expect(await service.exited).toBe(null);

    // The next run publishes them, from where the last one stood, and nothing it had published.
    const before = delivered.length;
    service = await start();
    await waitFor(
      () => delivered.find((d) => d.detail_type === 'OrderFulfilled' && d.detail.order.order_id === 'evt-second'),
      'OrderFulfilled of evt-second after the restart',
    );
    expect(deliveredFor('evt-second').filter((d) => d.detail_type === 'PackageShipped')).toHaveLength(
      second.shipments.length,
    );
    expect(delivered.slice(before).filter((d) => JSON.stringify(d).includes('evt-first'))).toEqual([]);

    // An export imported back (--replace) rewrites every item: history, not news. The next run
    // starts at the stream's end and publishes none of it.
    service.signal('SIGTERM');
    expect(await service.exited).toBe(0);
    const file = join(dataDir, '..', `${basename(dataDir)}-export.json`);
    try {
      expect((await runDataTool('export', ['--data-dir', dataDir, '--out', file])).code).toBe(0);
      expect((await runDataTool('import', [file, '--data-dir', dataDir, '--replace'])).code).toBe(0);
    } finally {
      rmSync(file, { force: true });
    }
    // This run's webhook is down (a port nothing listens on): the service goes on serving and
    // printing, and warns about each event the webhook missed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/down`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    service = await start({ EVENTS_WEBHOOK_URL: downUrl });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(service.output()).not.toMatch(/event \w+ .*evt-(first|second)/);

    const down = await shippedOrder(service.url, 'evt-down');
    await waitFor(
      () => (service!.output().includes('did not take event order-fulfilled:evt-down') ? true : undefined),
      'the warning about the webhook',
    );
    expect(service.output()).toContain('event OrderFulfilled {"event_id":"order-fulfilled:evt-down"');
    const again = await fetch(`${service.url}/inventory/orders/evt-down`);
    expect(again.status).toBe(200);
    expect(((await again.json()) as any).shipments).toEqual(down.shipments);
  }, 300_000);
});
