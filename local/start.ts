/**
 * `npm start`: the whole service on one laptop. DynamoDB Local (data kept in <repo>/.data/,
 * or nothing kept with --in-memory), the table, the real handlers behind a local API Gateway
 * stand-in on 127.0.0.1:$PORT, and the sweeper on a short schedule.
 *
 * Environment: PORT (3000), TABLE_NAME (fulfillment-local), SWEEP_INTERVAL_MS (1000).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { ensureTable } from './bootstrap.js';
import { startDynamoDBLocal, type DynamoDBLocal } from './dynamodb-local.js';
import { loadBackgroundHandler, loadRouteHandlers } from './handler-loader.js';
import { closeServer, createLocalHttpServer, listenOnLoopback } from './http-server.js';
import { applyLocalAwsEnv, DEFAULT_LOCAL_TABLE_NAME, localClientConfig } from './local-aws-env.js';
import { startSweeperLoop, type SweeperLoop } from './sweeper-loop.js';
import { installReadableLogs } from './readable-logs.js';

const inMemory = process.argv.slice(2).includes('--in-memory');
const port = integerFromEnv('PORT', 3000);
const sweepIntervalMs = integerFromEnv('SWEEP_INTERVAL_MS', 1000);
const tableName = process.env.TABLE_NAME || DEFAULT_LOCAL_TABLE_NAME;
const dataDir = fileURLToPath(new URL('../.data/', import.meta.url));

// Set while starting; the shutdown hooks are installed only once all three exist.
let dynamodb: DynamoDBLocal | undefined;
let server: Server | undefined;
let sweeper: SweeperLoop | undefined;
let shuttingDown = false;

try {
  dynamodb = await startDynamoDBLocal(inMemory ? {} : { dataDir });
  console.log(`DynamoDB Local (pid ${dynamodb.pid}) at ${dynamodb.endpoint}, ${inMemory ? 'in memory (nothing is kept)' : `data in ${dataDir}`}`);

  installReadableLogs();
  // Before any handler module loads: they build their DynamoDB client from these at import time.
  applyLocalAwsEnv({ endpoint: dynamodb.endpoint, tableName });
  const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
  const { created } = await ensureTable(client, tableName);
  client.destroy();
  console.log(`Table ${tableName} ${created ? 'created' : 'already there'}`);

  const [handlers, sweep] = await Promise.all([loadRouteHandlers(), loadBackgroundHandler('sweeper')]);
  server = createLocalHttpServer({ handlers });
  const url = await listenOnLoopback(server, port).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use; choose another with PORT=<port> npm start`) : error;
  });

  sweeper = startSweeperLoop(sweep, { intervalMs: sweepIntervalMs, onError: logOnceUntilChanged('sweeper run failed:') });
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  console.log(`Fulfillment service listening on ${url} (sweeper every ${sweepIntervalMs} ms; Ctrl-C stops everything)`);
  console.log(`Try: curl -s ${url}/inventory/products   or play the classic exercise: npm run demo`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await dynamodb?.stop();
  process.exit(1);
}

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) {
    // A second Ctrl-C means "now": the exit hook still stops Java.
    process.exit(1);
  }
  shuttingDown = true;
  console.log(`\n${signal}: stopping the sweeper, the HTTP server and DynamoDB Local...`);
  try {
    await sweeper?.stop();
    if (server) await closeServer(server);
    await dynamodb?.stop();
    process.exit(0);
  } catch (error) {
    console.error('shutdown failed:', error);
    process.exit(1);
  }
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
