/**
 * `npm start`: the whole service on one laptop. DynamoDB Local (data kept in <repo>/.data/,
 * or nothing kept with --in-memory), the table, the real handlers behind a local API Gateway
 * stand-in on 127.0.0.1:$PORT, and the sweeper on a short schedule.
 *
 * `--auth`: routes with a scope need a bearer token carrying it, as in AWS; the server prints a
 * development token per app client (functions/api-clients.ts) plus one with every scope.
 *
 * Outbound events (SPEC v2) are read from the table's stream and printed, one line each, and
 * POSTed to EVENTS_WEBHOOK_URL when it is set (./event-publishing.ts: where it starts after a
 * restart, and why).
 *
 * After an unclean stop (a crash, `kill -9`), the work a dead request left is finished before the
 * server listens (see finishWhatTheLastRunLeft).
 *
 * Environment: PORT (3000), TABLE_NAME (fulfillment-local), SWEEP_INTERVAL_MS (1000), DATA_DIR
 * (<repo>/.data/; ignored with --in-memory), EVENTS_WEBHOOK_URL (none), EVENTS_POLL_INTERVAL_MS (200:
 * how often the stream is read while it has nothing new).
 *
 * Stopping: SIGINT, SIGTERM or SIGHUP, sent to the whole process group (Ctrl-C) or to npm alone
 * (a process manager, an IDE, a container runtime), or the parent process dying (`kill -9` of
 * npm) all stop the sweeper, the HTTP server and DynamoDB Local, and give the data directory's
 * lock back. How each one reaches us: ./stop-requests.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_CLIENTS } from '../functions/api-clients.js';
import { ACCESS_SCOPES } from '../functions/routes.js';
import { ensureTable } from './bootstrap.js';
import { checkDataFormat } from './data-format.js';
import { createDevAuth, type DevAuth } from './dev-auth.js';
import { startDynamoDBLocal, type DynamoDBLocal } from './dynamodb-local.js';
import { type EventPublishing, startEventPublishing } from './event-publishing.js';
import { enableConcurrentInvocations, loadBackgroundHandler, loadRouteHandlers } from './handler-loader.js';
import { closeServer, createLocalHttpServer, listenOnLoopback } from './http-server.js';
import { applyLocalAwsEnv, DEFAULT_LOCAL_TABLE_NAME, localClientConfig } from './local-aws-env.js';
import { createLocalEventPublisher, webhookUrlFrom } from './local-event-publisher.js';
import { startSweeperLoop, type SweeperLoop } from './sweeper-loop.js';
import { installReadableLogs } from './readable-logs.js';
import { watchStopRequests } from './stop-requests.js';

// Read first: if npm is killed while we start, we must still know which parent we outlived.
const parentPid = process.ppid;
const inMemory = process.argv.slice(2).includes('--in-memory');
const withAuth = process.argv.slice(2).includes('--auth');
const port = integerFromEnv('PORT', 3000);
const sweepIntervalMs = integerFromEnv('SWEEP_INTERVAL_MS', 1000);
const eventsPollIntervalMs = integerFromEnv('EVENTS_POLL_INTERVAL_MS', 200);
const tableName = process.env.TABLE_NAME || DEFAULT_LOCAL_TABLE_NAME;
const dataDir = process.env.DATA_DIR
  ? resolve(process.env.DATA_DIR)
  : fileURLToPath(new URL('../.data/', import.meta.url));
const webhook = webhookUrlFrom(process.env.EVENTS_WEBHOOK_URL);
if (webhook.error) {
  console.error(webhook.error);
  process.exit(1);
}

// Set while starting; whatever exists when a stop is requested is stopped.
let dynamodbStarting: Promise<DynamoDBLocal> | undefined;
let dynamodb: DynamoDBLocal | undefined;
let server: Server | undefined;
let sweeper: SweeperLoop | undefined;
let events: EventPublishing | undefined;
let stopping = false;

// Before anything starts, so that a stop requested during start-up is not lost.
watchStopRequests({
  parentPid,
  onStop: (reason) => void shutdown(reason),
  onForce: (signal) => {
    // Pressed again while stopping: now. The exit hook still stops Java.
    console.error(`${signal} again: exiting now`);
    process.exit(1);
  },
});

try {
  await start();
} catch (error) {
  // A failure caused by the stop itself (e.g. Java stopped under ensureTable) is not news.
  if (!stopping) {
    console.error(error instanceof Error ? error.message : error);
    await dynamodb?.stop();
    process.exit(1);
  }
}

/** Starts each part in turn; returns early once a stop is requested (shutdown() owns the rest). */
async function start(): Promise<void> {
  // The server and the sweeper run many invocations at once in this process: each gets its own
  // context, or their log lines would carry each other's keys. First, before any AWS SDK call.
  await enableConcurrentInvocations();
  dynamodbStarting = startDynamoDBLocal(inMemory ? {} : { dataDir });
  dynamodb = await dynamodbStarting;
  if (stopping) return;
  console.log(
    `DynamoDB Local (pid ${dynamodb.pid}) at ${dynamodb.endpoint}, ${inMemory ? 'in memory (nothing is kept)' : `data in ${dataDir}`}`,
  );

  installReadableLogs();
  // Before any handler module loads: they build their DynamoDB client from these at import time.
  applyLocalAwsEnv({ endpoint: dynamodb.endpoint, tableName });
  const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
  const { created } = await ensureTable(client, tableName);
  await checkDataFormat(client, tableName, inMemory ? 'memory' : dataDir).finally(() => client.destroy());
  if (stopping) return;
  console.log(`Table ${tableName} ${created ? 'created' : 'already there'}`);

  const [handlers, sweep] = await Promise.all([loadRouteHandlers(), loadBackgroundHandler('sweeper')]);
  if (stopping) return;
  // Before the recovery below, whose changes are events too.
  events = await startEventPublishing({
    endpoint: dynamodb.endpoint,
    tableName,
    ...(inMemory ? {} : { dataDir }),
    publisher: createLocalEventPublisher(webhook.url ? { webhookUrl: webhook.url } : {}),
    intervalMs: eventsPollIntervalMs,
    onError: logOnceUntilChanged('publishing events failed:'),
  });
  if (stopping) return;
  console.log(
    webhook.url
      ? `Outbound events: printed here as "event <name> {...}" and POSTed to ${webhook.url}`
      : 'Outbound events: printed here as "event <name> {...}" (set EVENTS_WEBHOOK_URL to have them POSTed too)',
  );
  if (!inMemory) await finishWhatTheLastRunLeft();
  if (stopping) return;
  const auth = withAuth ? createDevAuth() : undefined;
  server = createLocalHttpServer({ handlers, ...(auth ? { auth } : {}) });
  const url = await listenOnLoopback(server, port).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? new Error(`Port ${port} is already in use; choose another with PORT=<port> npm start`)
      : error;
  });
  if (stopping) return;

  sweeper = startSweeperLoop(sweep, {
    intervalMs: sweepIntervalMs,
    onError: logOnceUntilChanged('sweeper run failed:'),
  });

  console.log(`Fulfillment service listening on ${url} (sweeper every ${sweepIntervalMs} ms; Ctrl-C stops everything)`);
  await announceAccessControl(auth, url);
}

/**
 * This process owns the data directory (its lock), so no request of an earlier run can still be
 * in flight: whatever one left (a restock's stock with orders still waiting, a large order half
 * made, parts not packed) is finished now, before we serve, instead of when its lease would have
 * run out (SPEC rule 8: within seconds of a restart after a crash).
 */
async function finishWhatTheLastRunLeft(): Promise<void> {
  const { sweep } = await import('../functions/use-cases/sweep.js');
  const report = await sweep(Date.now() + 20_000, { recover: true });
  const finished = report.restocksResumed + report.ordersFinished + report.productsDrained;
  if (finished > 0) {
    console.log(
      `Finished what the last run left: ${report.restocksResumed} restocks, ${report.ordersFinished} orders, ${report.productsDrained} products drained`,
    );
  }
}

async function shutdown(reason: string): Promise<void> {
  stopping = true;
  // Whoever read our output may be gone with our parent: a failed write must not end the stop.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  console.log(`\n${reason}: stopping the sweeper, the HTTP server and DynamoDB Local...`);
  try {
    await sweeper?.stop();
    if (server) await closeServer(server);
    // The batch in hand is published; what it has not read yet is, after the next start.
    await events?.stop();
    // Java may still be starting: wait for it, then stop it (which gives the data directory back).
    const started = dynamodb ?? (await dynamodbStarting?.catch(() => undefined));
    await started?.stop();
    process.exit(0);
  } catch (error) {
    console.error('shutdown failed:', error);
    process.exit(1);
  }
}

/** Says whether tokens are needed, and prints them when they are (they die with the server). */
async function announceAccessControl(auth: DevAuth | undefined, url: string): Promise<void> {
  if (!auth) {
    console.log(
      'Access control OFF: every route answers without a token, to any program on this machine (the server listens on 127.0.0.1 only). Start with `npm start -- --auth` to require the scopes AWS requires.',
    );
    console.log(`Try: curl -s ${url}/inventory/products   or play the classic exercise: npm run demo`);
    console.log(`Operators' console: ${url}/console`);
    return;
  }
  const all = await auth.issueToken('local-all-scopes', ACCESS_SCOPES);
  console.log(
    'Access control ON (--auth): every route but /health and the API docs needs "Authorization: Bearer <token>" with its scope.',
  );
  console.log('Development tokens (valid until this server stops; a restart makes new ones):');
  console.log(`  all scopes     ${all}`);
  for (const [name, client] of Object.entries(API_CLIENTS)) {
    console.log(`  ${name.padEnd(14)} ${await auth.issueToken(name, client.scopes)}  (${client.scopes.join(' ')})`);
  }
  console.log(
    `Try: TOKEN=<a token above>; curl -s -H "Authorization: Bearer $TOKEN" ${url}/inventory/products   (npm run demo reads TOKEN too)`,
  );
  console.log(`Operators' console: ${url}/console (paste a token above when it asks)`);
}

function integerFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a non-negative integer, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

/** The sweeper runs every second: repeat an error only when it changes, not every second. */
function logOnceUntilChanged(prefix: string): (error: unknown) => void {
  let last = '';
  return (error) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    if (text !== last) console.error(prefix, error);
    last = text;
  };
}
