/**
 * SPEC rule 8, locally: "within seconds of a restart after a crash". A restock request that died
 * after putting its stock on hand leaves orders waiting beside that stock until its lease runs
 * out (the sweeper must not take over a request that may still be alive). After a crash and a
 * restart, `npm start` knows no request of the last run is alive (it owns the data directory),
 * and finishes the work before it serves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createRestock } from '../../functions/store/restock-store.js';
import { applyLocalAwsEnv, DEFAULT_LOCAL_TABLE_NAME } from '../../local/local-aws-env.js';
import { type RunningService, startService } from '../support/npm-start.js';

let dataDir: string | undefined;
let service: RunningService | undefined;

afterEach(() => {
  service?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const ready = (url: string) => `Try: curl -s ${url}`;

async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

it('after a crash, npm start gives stranded stock to the waiting orders before it serves', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'crash-recovery-'));
  service = await startService([], ready, { env: { DATA_DIR: dataDir } });
  const { url } = service;
  expect(
    (await call(url, 'POST', '/inventory/init_catalog', [{ product_id: 5, product_name: 'RBC', mass_g: 600 }])).status,
  ).toBe(201);
  const order = await call(url, 'POST', '/inventory/process_order', {
    order_id: 'waits',
    requested: [{ product_id: 5, quantity: 3 }],
  });
  expect(order.body.status).toBe('backordered');

  // What a restock request leaves when it dies right after its first transaction: the record,
  // with a lease it would still hold for ten minutes, and its units on hand.
  const endpoint = /DynamoDB Local \(pid \d+\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(service.output())?.[1];
  expect(endpoint).toBeDefined();
  applyLocalAwsEnv({ endpoint: endpoint!, tableName: DEFAULT_LOCAL_TABLE_NAME });
  const leaseUntil = Date.now() + 10 * 60_000;
  await createRestock(
    {
      key: 'key:died-halfway',
      lines: new Map([[5, 3]]),
      lots: [{ product_id: 5, lot: null, quantity: 3, expiresAt: null }],
      status: 'applying',
      leaseUntil,
      draining: false,
      createdAt: new Date().toISOString(),
    },
    new Map(),
    { now: new Date().toISOString() },
  );
  // The running sweeper respects the lease: the units stay on hand next to the waiting order.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  expect((await call(url, 'GET', '/inventory/orders/waits')).body.status).toBe('backordered');

  // The crash: every process at once, no shutdown.
  service.kill();
  await service.exited;
  service = await startService([], ready, { env: { DATA_DIR: dataDir } });

  // Served only once the work is finished: the first answer already shows it.
  const after = await call(service.url, 'GET', '/inventory/orders/waits');
  expect(after.body.status).toBe('fulfilled');
  expect(service.output()).toContain('Finished what the last run left: 1 restocks');
  // The restock is done: its replay answers with the package the recovery shipped.
  const replay = await call(service.url, 'POST', '/inventory/process_restock', [{ product_id: 5, quantity: 3 }], {
    'idempotency-key': 'died-halfway',
  });
  expect(replay.status).toBe(200);
  expect(replay.body.shipments).toEqual([
    expect.objectContaining({
      order_id: 'waits',
      shipped: [{ product_id: 5, quantity: 3, lots: [{ lot: null, quantity: 3 }] }],
      mass_g: 1800,
    }),
  ]);
  const products = await call(service.url, 'GET', '/inventory/products');
  expect(products.body.products).toEqual([expect.objectContaining({ product_id: 5, quantity: 0, backordered: 0 })]);
  expect(Date.now()).toBeLessThan(leaseUntil);
}, 180_000);
