/**
 * Contention benchmarks (issue: fast where it matters), on loopback in one process like
 * bench/load.ts: DynamoDB Local in memory, the real handlers behind the local gateway, an HTTP
 * load loop. Each figure stands beside the raw rate of bare 4-item TransactWriteItems measured
 * in the same run against the same DynamoDB Local.
 *
 * - drain: 1,000 orders wait for one product; one restock fills them all. Transactions used,
 *   fills per transaction, fills/s against raw tx/s, and the time to answer.
 * - mixed: 5 scarce products; each client sends orders of 1-4 lines of 1-20 units, restocks
 *   of 1-2 products that keep the products at the edge between waiting and on hand, and
 *   replays of its own earlier requests. Requests/s against raw tx/s, p50/p99 per kind, then
 *   the full invariant check over the stored state (violations counted, expected 0).
 *
 * Both run twice (issue 13): lot-free, then with several lots per product, each with its own
 * expiry days ahead: the drain's restock splits its units over the lots, and each mixed restock
 * line names one of its product's lots, so orders and fills take across lots first expired first.
 *
 * Run alone: `npx tsx bench/contention.ts [--drain-orders 1000] [--mixed-ms 8000] [--clients 1,4,16] [--lots 5]`.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { installRequestCounter } from '../test/support/request-counter.js';
import { argValue, isMain, percentile, round, seededRandom } from './lib.js';
import { closedLoop, merge, type Sample, summarize } from './load.js';
import { startBenchService } from './local-service.js';

export interface DrainBenchResult {
  /** Lots the restock named (0: the unnamed lot only). */
  lotsPerProduct: number;
  /** Distinct lots the packages carried. */
  lotsShipped: number;
  orders: number;
  answerMs: number;
  /** Of which waiting for DynamoDB Local (the drain's calls are sequential). */
  dynamodbMs: number;
  draining: boolean;
  fills: number;
  transactions: number;
  fillsPerTransaction: number;
  fillsPerSecond: number;
  rawTxPerSecond: number;
  /** fills/s over raw tx/s: how many orders one raw transaction's time fills. */
  fillsPerRawTransaction: number;
  violations: string[];
}

export interface KindFigures {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface MixedPoint {
  clients: number;
  /** 0: restocks name no lot; else each restock line names one of this many lots of its product. */
  lotsPerProduct: number;
  durationMs: number;
  requests: number;
  rps: number;
  raw: { rps: number; p50Ms: number };
  ratio: number;
  byKind: Record<'order' | 'restock' | 'replay', KindFigures>;
  conditionRetries: number;
  /** CPU time of this Node.js process (service and load generator) per answered request. */
  nodeCpuMsPerRequest: number;
  /** DynamoDB requests per answered request, by command (all kinds together). */
  dynamodbPerRequest: Record<string, number>;
  /** Invariant violations over the stored state once the clients stopped (no sweeper run). */
  violations: number;
  violationSamples: string[];
}

/** Each figure twice: lot-free first, then with several lots per product. */
export interface ContentionResult {
  drain: DrainBenchResult[];
  mixed: MixedPoint[];
}

const MASSES = [283, 450, 700, 120, 900];

export async function runContentionBench(options: {
  drainOrders: number;
  mixedDurationMs: number;
  clients: number[];
  /** Lots per product in the second pass (several lots, each with its own expiry). */
  lotsPerProduct?: number;
  seed?: number;
  log?: (line: string) => void;
}): Promise<ContentionResult> {
  const log = options.log ?? (() => {});
  const lots = options.lotsPerProduct ?? 5;
  const passes = [0, lots];
  const service = await startBenchService(
    passes.flatMap((l) => [`bench-drain-${l}`, ...options.clients.map((c) => `bench-mixed-${l}-${c}`)]),
  );
  try {
    // Imported after the service set the environment and its own DynamoDB client.
    const { documentClient, tableName } = await import('../functions/commons/dynamodb.js');
    const { retryCounter } = await import('../functions/commons/counters.js');
    const { readState, violations } = await import('../test/support/invariants.js');
    const { call, useTable } = service;

    // Bare TransactWriteItems of 4 fresh items: the raw rate every figure is set against.
    const rawWrite = async () => {
      const id = randomUUID();
      await documentClient().send(
        new TransactWriteCommand({
          TransactItems: [0, 1, 2, 3].map((n) => ({
            Put: {
              TableName: tableName(),
              Item: { pk: `RAW#${id}`, sk: `ITEM#${n}`, quantity: n },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        }),
      );
      return true;
    };

    // JIT warm-up of DynamoDB Local and the handlers.
    useTable(`bench-drain-${passes[0]}`);
    await closedLoop(4, 3000, rawWrite);

    // Expiries are fixed per product and lot (a lot's expiry is set by its first restock), whole
    // days ahead of the run so that no lot expires during it.
    const firstDay = Math.ceil(Date.now() / 86_400_000) * 86_400_000;
    const expiryOf = (productId: number, lot: number) =>
      new Date(firstDay + lot * 86_400_000 + (productId % 24) * 3_600_000).toISOString();
    /** One restock line, or `lotsPerLine` lines of named lots sharing its units (first lots get the rest). */
    const restockLines = (productId: number, quantity: number, lotsPerLine: number, lot?: number) => {
      if (lotsPerLine === 0) return [{ product_id: productId, quantity }];
      if (lot !== undefined)
        return [{ product_id: productId, quantity, lot: `L${lot}`, expires_at: expiryOf(productId, lot) }];
      return Array.from({ length: lotsPerLine }, (_, i) => ({
        product_id: productId,
        quantity: Math.floor(quantity / lotsPerLine) + (i < quantity % lotsPerLine ? 1 : 0),
        lot: `L${i + 1}`,
        expires_at: expiryOf(productId, i + 1),
      })).filter((line) => line.quantity > 0);
    };

    // --- drain ---
    const drainPass = async (lotsPerProduct: number): Promise<DrainBenchResult> => {
      useTable(`bench-drain-${lotsPerProduct}`);
      const productId = 7000;
      await call('POST', '/inventory/init_catalog', [{ product_id: productId, product_name: 'RBC O-', mass_g: 283 }]);
      let placed = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (placed < options.drainOrders) {
            placed++;
            const res = await call('POST', '/inventory/process_order', {
              requested: [{ product_id: productId, quantity: 1 }],
            });
            if (res.status !== 201 || res.body.status !== 'backordered')
              throw new Error(`order answered ${res.status}`);
          }
        }),
      );
      const rawDrain = summarize(await closedLoop(1, 2000, rawWrite));
      const counter = installRequestCounter(documentClient());
      let dynamodbMs = 0;
      documentClient().middlewareStack.add(
        (next) => async (args) => {
          const t = performance.now();
          try {
            return await next(args);
          } finally {
            dynamodbMs += performance.now() - t;
          }
        },
        { step: 'initialize', name: 'benchDrainTimer' },
      );
      const started = performance.now();
      const restock = await call(
        'POST',
        '/inventory/process_restock',
        restockLines(productId, options.drainOrders, lotsPerProduct),
      );
      const answerMs = performance.now() - started;
      const counts = counter.counts();
      counter.uninstall();
      documentClient().middlewareStack.remove('benchDrainTimer');
      if (restock.status !== 200) throw new Error(`drain restock answered ${restock.status}`);
      const shipments = restock.body.shipments as Array<{
        order_id: string;
        shipped: Array<{ lots: Array<{ lot: string | null }> }>;
      }>;
      const fills = new Set(shipments.map((s) => s.order_id)).size;
      const lotsShipped = new Set(shipments.flatMap((s) => s.shipped.flatMap((l) => l.lots.map((x) => x.lot)))).size;
      const transactions = (counts.byCommand.TransactWriteItems ?? 0) - 1; // the first puts the stock on hand
      const drain: DrainBenchResult = {
        lotsPerProduct,
        lotsShipped,
        orders: options.drainOrders,
        answerMs: round(answerMs, 0),
        dynamodbMs: round(dynamodbMs, 0),
        draining: restock.body.draining,
        fills,
        transactions,
        fillsPerTransaction: round(fills / Math.max(1, transactions), 1),
        fillsPerSecond: round(fills / (answerMs / 1000), 0),
        rawTxPerSecond: rawDrain.rps,
        fillsPerRawTransaction: round(fills / (answerMs / 1000) / rawDrain.rps, 1),
        violations: violations(await readState()),
      };
      log(
        `drain (${lotsPerProduct} lots): ${fills} of ${drain.orders} waiting orders filled by one restock in ${drain.answerMs} ms (${drain.dynamodbMs} ms of it in DynamoDB calls; draining ${drain.draining}); ${transactions} fill transactions, ${drain.fillsPerTransaction} fills each; ${lotsShipped} lots shipped; ${drain.fillsPerSecond} fills/s against raw ${drain.rawTxPerSecond} tx/s; ${drain.violations.length} violations`,
      );
      return drain;
    };

    // --- mixed ---
    const mixedPoint = async (clients: number, lotsPerProduct: number): Promise<MixedPoint> => {
      useTable(`bench-mixed-${lotsPerProduct}-${clients}`);
      const ids = MASSES.map((_, i) => 8000 + i);
      await call(
        'POST',
        '/inventory/init_catalog',
        ids.map((product_id, i) => ({ product_id, product_name: `P${i}`, mass_g: MASSES[i] })),
      );
      await call(
        'POST',
        '/inventory/process_restock',
        ids.flatMap((product_id) => restockLines(product_id, 40, lotsPerProduct)),
      );
      const samples: Record<'order' | 'restock' | 'replay', Sample[]> = { order: [], restock: [], replay: [] };
      const retriesBefore = retryCounter.conditionRetries;
      const serviceRuns: Array<{ samples: Sample[]; elapsedMs: number }> = [];
      const rawRuns: Array<{ samples: Sample[]; elapsedMs: number }> = [];
      const slices = 4;
      const sliceMs = Math.max(250, Math.round(options.mixedDurationMs / slices));
      let clientSeed = (options.seed ?? 1) * 1000 + clients;
      const clientStates = Array.from({ length: clients }, () => ({
        random: seededRandom(clientSeed++),
        sent: [] as ClientState['sent'],
      }));
      const restockLine = (productId: number, quantity: number, random: () => number) =>
        lotsPerProduct === 0
          ? restockLines(productId, quantity, 0)
          : restockLines(productId, quantity, lotsPerProduct, 1 + Math.floor(random() * lotsPerProduct));
      const mixedCounter = installRequestCounter(documentClient());
      mixedCounter.reset();
      let serviceCpuMs = 0;
      for (let slice = 0; slice < slices; slice++) {
        mixedCounter.resume();
        const cpuBefore = process.cpuUsage();
        serviceRuns.push(
          await closedLoop(clients, sliceMs, async (worker) => {
            const client = clientStates[worker]!;
            const { kind, path, body, headers, expect } = nextRequest(client, ids, restockLine);
            const t = performance.now();
            const res = await call('POST', path, body, headers);
            const ok = res.status === expect;
            samples[kind].push({ ok, ms: performance.now() - t });
            if (!ok && samples[kind].filter((s) => !s.ok).length <= 3) {
              console.error(`mixed ${kind} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
            }
            return ok;
          }),
        );
        const cpu = process.cpuUsage(cpuBefore);
        serviceCpuMs += (cpu.user + cpu.system) / 1000;
        mixedCounter.pause();
        rawRuns.push(await closedLoop(clients, sliceMs, rawWrite));
      }
      const mixedCounts = mixedCounter.counts();
      mixedCounter.uninstall();
      const service = summarize(merge(serviceRuns));
      const raw = summarize(merge(rawRuns));
      const state = await readState();
      const problems = violations(state);
      const figures = (list: Sample[]): KindFigures => {
        const ms = list.filter((s) => s.ok).map((s) => s.ms);
        return {
          requests: ms.length,
          errors: list.length - ms.length,
          p50Ms: round(percentile(ms, 50), 1),
          p99Ms: round(percentile(ms, 99), 1),
        };
      };
      const point: MixedPoint = {
        clients,
        lotsPerProduct,
        durationMs: options.mixedDurationMs,
        requests: service.requests,
        rps: service.rps,
        raw: { rps: raw.rps, p50Ms: raw.p50Ms },
        ratio: round(service.rps / raw.rps, 3),
        byKind: { order: figures(samples.order), restock: figures(samples.restock), replay: figures(samples.replay) },
        conditionRetries: retryCounter.conditionRetries - retriesBefore,
        nodeCpuMsPerRequest: round(serviceCpuMs / Math.max(1, service.requests), 1),
        dynamodbPerRequest: Object.fromEntries(
          Object.entries(mixedCounts.byCommand).map(([k, v]) => [k, round(v / Math.max(1, service.requests), 2)]),
        ),
        violations: problems.length,
        violationSamples: problems.slice(0, 5),
      };
      const k = point.byKind;
      log(
        `mixed c=${clients} (${lotsPerProduct} lots): ${point.rps} requests/s against raw ${raw.rps} tx/s (ratio ${point.ratio}); orders ${k.order.requests} p50 ${k.order.p50Ms} ms p99 ${k.order.p99Ms} ms; restocks ${k.restock.requests} p50 ${k.restock.p50Ms} ms p99 ${k.restock.p99Ms} ms; replays ${k.replay.requests} p50 ${k.replay.p50Ms} ms; errors ${service.errors}; retries ${point.conditionRetries}; violations ${point.violations}; Node.js CPU ${point.nodeCpuMsPerRequest} ms per request; DynamoDB per request ${JSON.stringify(point.dynamodbPerRequest)}`,
      );
      return point;
    };

    const result: ContentionResult = { drain: [], mixed: [] };
    for (const lotsPerProduct of passes) {
      result.drain.push(await drainPass(lotsPerProduct));
      for (const clients of options.clients) result.mixed.push(await mixedPoint(clients, lotsPerProduct));
    }
    return result;
  } finally {
    await service.stop();
  }
}

interface ClientState {
  random: () => number;
  sent: Array<{ path: string; body: unknown; headers?: Record<string, string>; expect: number }>;
}

interface MixedRequest {
  kind: 'order' | 'restock' | 'replay';
  path: string;
  body: unknown;
  headers?: Record<string, string>;
  expect: number;
}

/** 55 % new orders, 25 % restocks, 20 % replays of the client's own earlier requests. */
function nextRequest(
  client: ClientState,
  ids: number[],
  restockLine: (productId: number, quantity: number, random: () => number) => unknown[],
): MixedRequest {
  const r = client.random();
  const int = (min: number, max: number) => min + Math.floor(client.random() * (max - min + 1));
  const pick = (count: number) => [...ids].sort(() => client.random() - 0.5).slice(0, count);
  if (r < 0.2 && client.sent.length > 0) {
    const earlier = client.sent[int(0, client.sent.length - 1)]!;
    return { ...earlier, kind: 'replay', expect: 200 };
  }
  if (r < 0.45) {
    const body = pick(int(1, 2)).flatMap((product_id) => restockLine(product_id, int(10, 60), client.random));
    const headers = { 'Idempotency-Key': randomUUID() };
    const sent = { path: '/inventory/process_restock', body, headers, expect: 200 };
    client.sent.push(sent);
    return { ...sent, kind: 'restock' };
  }
  const body = {
    order_id: `m-${randomUUID().slice(0, 18)}`,
    requested: pick(int(1, 4)).map((product_id) => ({ product_id, quantity: int(1, 20) })),
  };
  const sent = { path: '/inventory/process_order', body, expect: 201 };
  client.sent.push(sent);
  return { ...sent, kind: 'order' };
}

if (isMain(import.meta.url)) {
  const result = await runContentionBench({
    drainOrders: Number(argValue('drain-orders', '1000')),
    mixedDurationMs: Number(argValue('mixed-ms', '8000')),
    clients: (argValue('clients', '1,4,16') ?? '').split(',').map(Number),
    lotsPerProduct: Number(argValue('lots', '5')),
    log: console.log,
  });
  if (process.argv.includes('--json')) console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
