/**
 * Load benchmark (issue 5, item 4), all on loopback in one process: DynamoDB Local (in memory),
 * the real handlers behind the local API Gateway stand-in, and a keep-alive HTTP load loop.
 *
 * For each concurrency: process_order throughput and latency for a fixed duration, then, against
 * the same DynamoDB Local with the same client, the raw ceiling: bare TransactWriteItems of
 * exactly the items an in-stock order writes (captured from a real order, with a fresh order id
 * each time). The ratio service / raw is what holds on a noisy machine. Then the hot product:
 * 32 clients ordering one unit each of one scarce product; throughput, condition retries per
 * order (the service's `retryCounter`), and exact conservation over the stored state.
 *
 * The load generator shares the process (and the 2 cores) with the service: the ratio charges
 * HTTP, the handler and the generator to the service, which is the cost of serving an order.
 *
 * Run alone: `npx tsx bench/load.ts [--duration-ms 10000] [--concurrency 1,8,32] [--hot-orders 640]`.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import { argValue, isMain, percentile, round } from './lib.js';
import { startBenchService } from './local-service.js';
import { installRequestCounter } from '../test/support/request-counter.js';

export interface LoadPoint {
  concurrency: number;
  durationMs: number;
  service: { requests: number; errors: number; rps: number; p50Ms: number; p99Ms: number };
  raw: { requests: number; errors: number; rps: number; p50Ms: number; p99Ms: number };
  /** service rps / raw rps */
  ratio: number;
  /** DynamoDB requests per order during the service phase, by command. */
  dynamodbPerOrder: Record<string, number>;
  capacityPerOrder: number;
}

export interface HotProductResult {
  clients: number;
  orders: number;
  stock: number;
  durationMs: number;
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  shippedUnits: number;
  backorderedUnits: number;
  conditionRetries: number;
  retriesPerOrder: number;
  /** restocked = on hand + shipped, and the orders' shipped units = what the product counts. */
  conservation: {
    restocked: number;
    onHand: number;
    shippedByProduct: number;
    shippedByOrders: number;
    exact: boolean;
  };
  violations: string[];
}

export interface LoadResult {
  orderBody: unknown;
  transactionItems: number;
  points: LoadPoint[];
  hot: HotProductResult;
}

export interface Sample {
  ok: boolean;
  ms: number;
}

/** Runs `workers` loops of `once` until `durationMs` passes; every call's latency is kept. */
export async function closedLoop(
  workers: number,
  durationMs: number,
  once: (worker: number) => Promise<boolean>,
): Promise<{ samples: Sample[]; elapsedMs: number }> {
  const samples: Sample[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        let ok = false;
        try {
          ok = await once(worker);
        } catch {
          ok = false;
        }
        samples.push({ ok, ms: performance.now() - t });
      }
    }),
  );
  return { samples, elapsedMs: performance.now() - started };
}

export function merge(runs: Array<{ samples: Sample[]; elapsedMs: number }>) {
  return { samples: runs.flatMap((r) => r.samples), elapsedMs: runs.reduce((t, r) => t + r.elapsedMs, 0) };
}

export function summarize(run: { samples: Sample[]; elapsedMs: number }) {
  const ok = run.samples.filter((s) => s.ok);
  const ms = ok.map((s) => s.ms);
  return {
    requests: ok.length,
    errors: run.samples.length - ok.length,
    rps: round(ok.length / (run.elapsedMs / 1000), 1),
    p50Ms: round(percentile(ms, 50), 2),
    p99Ms: round(percentile(ms, 99), 2),
  };
}

export async function runLoadBench(options: {
  /** Per concurrency and per side (service, raw). */
  durationMs: number;
  warmupMs: number;
  concurrencies: number[];
  hotOrders: number;
  hotStock?: number;
  log?: (line: string) => void;
}): Promise<LoadResult> {
  const log = options.log ?? (() => {});
  const service = await startBenchService(['bench-load', 'bench-hot']);
  try {
    // Imported after the service set the environment: these modules build the client from it.
    const { documentClient } = await import('../functions/commons/dynamodb.js');
    const { retryCounter } = await import('../functions/commons/counters.js');
    const { readState, violations } = await import('../test/support/invariants.js');
    const call = (method: string, path: string, body?: unknown) => service.call(method, path, body);

    // The classic catalog with plenty of stock.
    const classic = JSON.parse(
      readFileSync(new URL('../functions/data/classic-exercise.json', import.meta.url), 'utf8'),
    );
    const init = await call('POST', '/inventory/init_catalog', classic.product_info);
    if (init.status !== 201) throw new Error(`init_catalog answered ${init.status}`);
    for (let round = 0; round < 3; round++) {
      const res = await call(
        'POST',
        '/inventory/process_restock',
        classic.product_info.map((p: { product_id: number }) => ({ product_id: p.product_id, quantity: 1_000_000 })),
      );
      if (res.status !== 200) throw new Error(`restock answered ${res.status}`);
    }
    // Two lines, 1300 g: one package. No order_id: the service assigns one.
    const orderBody = {
      requested: [
        { product_id: 0, quantity: 1 },
        { product_id: 10, quantity: 2 },
      ],
    };
    const order = async () => (await call('POST', '/inventory/process_order', orderBody)).status === 201;

    // Capture the TransactWriteItems of one warm in-stock order: the raw phase replays exactly it.
    let captured: TransactWriteCommandInput | undefined;
    documentClient().middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand')
          captured = structuredClone(args.input as TransactWriteCommandInput);
        return next(args);
      },
      { step: 'initialize', name: 'benchCapture' },
    );
    await order();
    const sample = await call('POST', '/inventory/process_order', orderBody);
    documentClient().middlewareStack.remove('benchCapture');
    if (sample.status !== 201 || !captured) throw new Error('could not capture an in-stock order transaction');
    const sampleId = String(sample.body.order_id);
    const template = JSON.stringify(captured);
    if (!template.includes(sampleId)) throw new Error('the captured transaction does not name the order id');
    // The ledger's WriteItem is new with every write too (its key is conditioned on not existing).
    const writeId = /"WRITE#([0-9a-z]+)"/.exec(template)?.[1];
    if (!writeId) throw new Error('the captured transaction holds no ledger write');
    const fresh = (like: string) => randomUUID().replace(/-/g, '').padEnd(like.length, '0').slice(0, like.length);
    const rawWrite = async () => {
      // Same length as the service's ids, so the items are the same size.
      const text = template.split(sampleId).join(fresh(sampleId)).split(writeId).join(fresh(writeId));
      const input = JSON.parse(text) as TransactWriteCommandInput;
      await documentClient().send(new TransactWriteCommand(input));
      return true;
    };

    const counter = installRequestCounter(documentClient());
    // DynamoDB Local is a JVM: its first thousands of requests run slower while the JIT warms up.
    log(`load: warming up (${options.warmupMs} ms)`);
    counter.pause();
    await closedLoop(8, options.warmupMs / 2, order);
    await closedLoop(8, options.warmupMs / 2, rawWrite);
    counter.resume();

    const points: LoadPoint[] = [];
    for (const concurrency of options.concurrencies) {
      // Service and raw alternate in slices, so a JVM still warming up or a neighbour's load
      // falls on both sides of the ratio alike.
      const slices = 4;
      const sliceMs = Math.max(250, Math.round(options.durationMs / slices));
      const serviceRuns: Array<{ samples: Sample[]; elapsedMs: number }> = [];
      const rawRuns: Array<{ samples: Sample[]; elapsedMs: number }> = [];
      counter.reset();
      for (let i = 0; i < slices; i++) {
        counter.resume();
        serviceRuns.push(await closedLoop(concurrency, sliceMs, order));
        counter.pause();
        rawRuns.push(await closedLoop(concurrency, sliceMs, rawWrite));
      }
      counter.resume();
      const counts = counter.counts();
      const service = summarize(merge(serviceRuns));
      const raw = summarize(merge(rawRuns));
      const perOrder = Object.fromEntries(
        Object.entries(counts.byCommand).map(([k, v]) => [
          k,
          round(v / Math.max(1, service.requests + service.errors), 3),
        ]),
      );
      const point: LoadPoint = {
        concurrency,
        durationMs: options.durationMs,
        service,
        raw,
        ratio: round(service.rps / raw.rps, 3),
        dynamodbPerOrder: perOrder,
        capacityPerOrder: round(counts.capacity / Math.max(1, service.requests), 2),
      };
      log(
        `load c=${concurrency}: service ${service.rps} orders/s (p50 ${service.p50Ms} ms, p99 ${service.p99Ms} ms, ${service.errors} errors), raw ${raw.rps} tx/s (p50 ${raw.p50Ms} ms), ratio ${point.ratio}; per order ${JSON.stringify(perOrder)}`,
      );
      points.push(point);
    }
    counter.uninstall();

    // Hot product, in a table of its own so the conservation check reads only its state.
    service.useTable('bench-hot');
    const hotStock = options.hotStock ?? Math.floor(options.hotOrders * 0.6);
    const hotId = 5000;
    await call('POST', '/inventory/init_catalog', [
      { product_id: hotId, product_name: 'O- whole blood (scarce)', mass_g: 500 },
    ]);
    await call('POST', '/inventory/process_restock', [{ product_id: hotId, quantity: hotStock }]);
    const clients = 32;
    const retriesBefore = retryCounter.conditionRetries;
    let next = 0;
    let shippedByOrders = 0;
    let backordered = 0;
    let hotErrors = 0;
    const hotLatencies: number[] = [];
    const hotStarted = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < options.hotOrders) {
          next++;
          const t = performance.now();
          const res = await call('POST', '/inventory/process_order', {
            requested: [{ product_id: hotId, quantity: 1 }],
          });
          hotLatencies.push(performance.now() - t);
          if (res.status !== 201) {
            hotErrors++;
            continue;
          }
          shippedByOrders += res.body.shipped.reduce((n: number, l: { quantity: number }) => n + l.quantity, 0);
          backordered += res.body.backordered.reduce((n: number, l: { quantity: number }) => n + l.quantity, 0);
        }
      }),
    );
    const hotMs = performance.now() - hotStarted;
    const retries = retryCounter.conditionRetries - retriesBefore;
    const state = await readState();
    const product = state.products.get(hotId)!;
    const problems = violations(state);
    const hot: HotProductResult = {
      clients,
      orders: options.hotOrders,
      stock: hotStock,
      durationMs: round(hotMs, 0),
      ordersPerSecond: round(options.hotOrders / (hotMs / 1000), 1),
      p50Ms: round(percentile(hotLatencies, 50), 2),
      p99Ms: round(percentile(hotLatencies, 99), 2),
      errors: hotErrors,
      shippedUnits: shippedByOrders,
      backorderedUnits: backordered,
      conditionRetries: retries,
      retriesPerOrder: round(retries / options.hotOrders, 3),
      conservation: {
        restocked: product.restocked,
        onHand: product.on_hand,
        shippedByProduct: product.shipped,
        shippedByOrders,
        exact:
          product.restocked === hotStock &&
          product.restocked === product.on_hand + product.shipped &&
          product.shipped === shippedByOrders &&
          shippedByOrders + backordered === options.hotOrders - hotErrors &&
          problems.length === 0,
      },
      violations: problems,
    };
    log(
      `hot product: ${clients} clients, ${hot.orders} orders of 1 unit on ${hotStock} in stock: ${hot.ordersPerSecond} orders/s, p50 ${hot.p50Ms} ms, p99 ${hot.p99Ms} ms, ${retries} retries (${hot.retriesPerOrder}/order), shipped ${shippedByOrders}, backordered ${backordered}, conservation ${hot.conservation.exact ? 'exact' : 'BROKEN'}`,
    );
    return { orderBody, transactionItems: captured.TransactItems?.length ?? 0, points, hot };
  } finally {
    await service.stop();
  }
}

if (isMain(import.meta.url)) {
  const result = await runLoadBench({
    durationMs: Number(argValue('duration-ms', '10000')),
    warmupMs: Number(argValue('warmup-ms', '8000')),
    concurrencies: (argValue('concurrency', '1,8,32') ?? '').split(',').map(Number),
    hotOrders: Number(argValue('hot-orders', '640')),
    log: console.log,
  });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
