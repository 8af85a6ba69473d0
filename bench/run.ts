/**
 * `npm run bench`: every benchmark in one run, then bench/results/latest.json, the two SVG charts
 * and BENCHMARKS.md regenerated from that JSON. `npm run bench:smoke` (`--smoke`): the same
 * code paths with small counts, in well under a minute; its results go to
 * bench/results/smoke.json and BENCHMARKS.md is left alone.
 *
 * Options: --events N (packing events per setting up to 100 units), --events-large N (for 1000
 * units), --family-events N (per hard packing family), --duration-ms N (load, per concurrency and side), --runs N (cold start processes),
 * --drain-orders N, --mixed-ms N, --lots N (contention, lots per product in its second pass), --fill-orders N, --capacity-seconds N, --trials N
 * (capacity), --only packing,families,load,contention,cold-start,capacity.
 */
import { cpus, loadavg, platform, release, totalmem, arch } from 'node:os';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { runPackingBench, type PackingSetting } from './packing.js';
import { FAMILIES, familyLine, type FamilyResult, runFamily } from './packing-families.js';
import { runLoadBench, type LoadResult } from './load.js';
import { runColdStartBench, type ColdStartResult } from './cold-start.js';
import { type ContentionResult, runContentionBench } from './contention.js';
import { type CapacityResult, runCapacityBench, writeCapacityJson } from './capacity.js';
import { argValue, hasFlag } from './lib.js';
import { renderBenchmarksMd, packagesChart, latencyChart } from './report.js';

export interface BenchResults {
  kind: 'full' | 'smoke';
  startedAt: string;
  finishedAt: string;
  command: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGiB: number;
    os: string;
    node: string;
    loadAverageBefore: number[];
    loadAverageAfter: number[];
  };
  settings: Record<string, unknown>;
  /** The commit measured, and the files of the service that differed from it (uncommitted). */
  code: { commit: string; uncommitted: string[] };
  packing?: PackingSetting[];
  /** The literature's hard families (issue 15), `familyEvents` seeded events each. */
  families?: FamilyResult[];
  load?: LoadResult;
  contention?: ContentionResult;
  coldStart?: ColdStartResult[];
  capacity?: CapacityResult;
}

const smoke = hasFlag('smoke');
const only = new Set((argValue('only', 'packing,families,load,contention,cold-start,capacity') ?? '').split(','));
const settings = {
  seed: Number(argValue('seed', '1')),
  sizes: [10, 100, 1000],
  events: Number(argValue('events', smoke ? '50' : '10000')),
  eventsLarge: Number(argValue('events-large', smoke ? '4' : '10000')),
  familyEvents: Number(argValue('family-events', smoke ? '1' : '200')),
  durationMs: Number(argValue('duration-ms', smoke ? '600' : '8000')),
  warmupMs: Number(argValue('warmup-ms', smoke ? '600' : '8000')),
  concurrencies: [1, 8, 32],
  hotOrders: Number(argValue('hot-orders', smoke ? '64' : '640')),
  coldStartRuns: Number(argValue('runs', smoke ? '1' : '10')),
  drainOrders: Number(argValue('drain-orders', smoke ? '100' : '1000')),
  mixedDurationMs: Number(argValue('mixed-ms', smoke ? '600' : '8000')),
  mixedClients: [1, 4, 16],
  lotsPerProduct: Number(argValue('lots', '5')),
  fillOrders: Number(argValue('fill-orders', smoke ? '10' : '98')),
  capacitySeconds: Number(argValue('capacity-seconds', smoke ? '5' : '20')),
  capacityTrials: Number(argValue('trials', smoke ? '20' : '200')),
};

const extraArgs = process.argv.slice(2).filter((a) => a !== '--smoke');
const results: BenchResults = {
  kind: smoke ? 'smoke' : 'full',
  startedAt: new Date().toISOString(),
  finishedAt: '',
  command: `npm run ${smoke ? 'bench:smoke' : 'bench'}${extraArgs.length > 0 ? ` -- ${extraArgs.join(' ')}` : ''}`,
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    loadAverageBefore: loadavg().map((x) => Number(x.toFixed(2))),
    loadAverageAfter: [],
  },
  settings,
  code: codeState(),
};

function codeState(): BenchResults['code'] {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' });
  try {
    const dirty = git('status', '--porcelain', '--', 'functions', 'local', 'infra');
    return {
      commit: git('rev-parse', 'HEAD').trim(),
      uncommitted: dirty
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(3)),
    };
  } catch {
    return { commit: 'unknown', uncommitted: [] };
  }
}

const log = (line: string) => console.log(line);
const started = performance.now();

if (only.has('packing')) {
  const small = runPackingBench({
    events: settings.events,
    sizes: settings.sizes.filter((s) => s <= 100),
    seed: settings.seed,
    log,
  });
  const large = runPackingBench({
    events: settings.eventsLarge,
    sizes: settings.sizes.filter((s) => s > 100),
    seed: settings.seed,
    log,
  });
  results.packing = [...small, ...large].sort((a, b) =>
    a.source === b.source ? a.units - b.units : a.source < b.source ? -1 : 1,
  );
}
if (only.has('families')) {
  results.families = FAMILIES.map((family) => {
    const result = runFamily(family, settings.familyEvents, settings.seed);
    log(familyLine(result));
    return result;
  });
}
if (only.has('load')) {
  results.load = await runLoadBench({
    durationMs: settings.durationMs,
    warmupMs: settings.warmupMs,
    concurrencies: settings.concurrencies,
    hotOrders: settings.hotOrders,
    log,
  });
}
if (only.has('contention')) {
  results.contention = await runContentionBench({
    drainOrders: settings.drainOrders,
    mixedDurationMs: settings.mixedDurationMs,
    clients: settings.mixedClients,
    lotsPerProduct: settings.lotsPerProduct,
    seed: settings.seed,
    log,
  });
}
if (only.has('cold-start')) results.coldStart = await runColdStartBench({ runs: settings.coldStartRuns, log });
if (only.has('capacity')) {
  results.capacity = await runCapacityBench({
    fillOrders: settings.fillOrders,
    seconds: settings.capacitySeconds,
    trials: settings.capacityTrials,
    seed: settings.seed,
    log,
  });
}

results.finishedAt = new Date().toISOString();
results.machine.loadAverageAfter = loadavg().map((x) => Number(x.toFixed(2)));

const failures: string[] = [];
for (const p of results.packing ?? []) {
  if (p.worseThanFfd > 0) failures.push(`packing ${p.source} ${p.units}: ${p.worseThanFfd} events worse than FFD`);
  if (p.provenAboveBound > 0)
    failures.push(`packing ${p.source} ${p.units}: ${p.provenAboveBound} proven events above the lower bound`);
  if (p.units <= 100 && p.provenOptimal !== p.events)
    failures.push(`packing ${p.source} ${p.units}: ${p.events - p.provenOptimal} events not proven (rule 2)`);
}
for (const f of results.families ?? []) {
  if (f.worseThanFfd > 0) failures.push(`packing family ${f.family}: ${f.worseThanFfd} events worse than FFD`);
  if (f.family !== 'random1000' && f.provenOptimal !== f.events)
    failures.push(`packing family ${f.family}: ${f.events - f.provenOptimal} events not proven (rule 2)`);
}
if (results.load) {
  if (!results.load.hot.conservation.exact)
    failures.push(`hot product: conservation broken ${JSON.stringify(results.load.hot.violations)}`);
  for (const pt of results.load.points) {
    if (pt.service.errors > 0) failures.push(`load c=${pt.concurrency}: ${pt.service.errors} failed orders`);
    // A raw write that fails (a replayed key) would leave the ratio meaningless.
    if (pt.raw.errors > 0) failures.push(`load c=${pt.concurrency}: ${pt.raw.errors} failed raw writes`);
    if (pt.dynamodbPerOrder.TransactWriteItems !== 1 || Object.keys(pt.dynamodbPerOrder).length !== 1) {
      failures.push(
        `load c=${pt.concurrency}: DynamoDB requests per order ${JSON.stringify(pt.dynamodbPerOrder)}, expected one TransactWriteItems`,
      );
    }
  }
}

if (results.contention) {
  const { drain, mixed } = results.contention;
  for (const d of drain) {
    const which = `drain (${d.lotsPerProduct} lots)`;
    if (d.violations.length > 0) failures.push(`${which}: ${d.violations.join('; ')}`);
    if (d.fills !== d.orders) failures.push(`${which}: ${d.fills} of ${d.orders} orders filled`);
    if (d.lotsShipped !== Math.max(1, d.lotsPerProduct)) failures.push(`${which}: ${d.lotsShipped} lots shipped`);
  }
  for (const m of mixed) {
    const which = `mixed c=${m.clients} (${m.lotsPerProduct} lots)`;
    if (m.violations > 0) failures.push(`${which}: ${m.violations} violations ${m.violationSamples.join('; ')}`);
    const errors = m.byKind.order.errors + m.byKind.restock.errors + m.byKind.replay.errors;
    if (errors > 0) failures.push(`${which}: ${errors} requests answered other than expected`);
  }
}

if (results.capacity && results.capacity.measured.violations.length > 0) {
  failures.push(`capacity: ${results.capacity.measured.violations.join('; ')}`);
}

mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = smoke ? 'smoke.json' : 'latest.json';
writeFileSync(new URL(`./results/${file}`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
if (!smoke) {
  if (results.packing)
    writeFileSync(new URL('./results/packages-per-event.svg', import.meta.url), packagesChart(results.packing));
  if (results.load)
    writeFileSync(new URL('./results/latency-vs-concurrency.svg', import.meta.url), latencyChart(results.load));
  if (results.capacity) writeCapacityJson(results.capacity);
  if (
    results.packing &&
    results.families &&
    results.load &&
    results.contention &&
    results.coldStart &&
    results.capacity
  ) {
    writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), renderBenchmarksMd(results));
  } else {
    console.log('BENCHMARKS.md not regenerated: it needs all six benchmarks in one run');
  }
}
console.log(
  `bench ${results.kind} done in ${((performance.now() - started) / 1000).toFixed(0)} s; wrote bench/results/${file}`,
);
if (failures.length > 0) {
  console.error(`FAILED checks:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
process.exit(0);
