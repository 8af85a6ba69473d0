/**
 * Stopping `npm start` the ways a process manager, an IDE or a container runtime does: a signal
 * to the npm process alone (not to its process group, as Ctrl-C in a terminal would), or npm
 * killed outright. Each must stop everything within seconds: the HTTP server stops answering,
 * the service process and DynamoDB Local (Java) are gone, and the data directory's lock is
 * given back. (Ctrl-C in a terminal, SIGINT to the whole group: local-server.test.ts.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../local/data-dir-lock.js';
import { type RunningService, startService } from '../support/npm-start.js';

/** Generous for a loaded 2-core machine; a stop takes about a second. */
const STOP_WITHIN_MS = 10_000;

let dataDir: string | undefined;
let service: RunningService | undefined;

afterEach(() => {
  service?.kill();
  service = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

/** Starts `npm start` on a data directory of its own; returns it with the service's pids from the lock. */
async function startOnDataDir(): Promise<{ service: RunningService; lockPath: string; nodePid: number }> {
  dataDir = mkdtempSync(join(tmpdir(), 'npm-start-stop-'));
  service = await startService([], (url) => `Try: curl -s ${url}`, { env: { DATA_DIR: dataDir } });
  const lockPath = join(dataDir, LOCK_FILE_NAME);
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number; java_pid: number };
  expect(service.output()).toContain(`data in ${dataDir}`);
  expect(lock.java_pid).toBe(service.javaPid);
  expect(lock.pid).not.toBe(service.npmPid); // npm's script process (exec'd node), not npm
  expect(isRunning(lock.pid) && isRunning(service.javaPid)).toBe(true);
  expect((await fetch(`${service.url}/health`)).status).toBe(200);
  return { service, lockPath, nodePid: lock.pid };
}

async function expectEverythingStopped(
  running: RunningService,
  lockPath: string,
  nodePid: number,
  reason: string,
): Promise<void> {
  const started = Date.now();
  await waitUntil(async () => !(await answers(running.url)), 'the port stops answering');
  await waitUntil(async () => !isRunning(running.javaPid), 'DynamoDB Local (Java) is gone');
  await waitUntil(async () => !isRunning(nodePid), 'the service process is gone');
  expect(Date.now() - started).toBeLessThan(STOP_WITHIN_MS);
  expect(existsSync(lockPath)).toBe(false); // given back, not merely stale
  expect(running.output()).toContain(`${reason}: stopping the sweeper, the HTTP server and DynamoDB Local`);
}

describe('npm start stops everything', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'when npm alone receives %s',
    async (signal) => {
      const { service: running, lockPath, nodePid } = await startOnDataDir();
      running.signal(signal);
      await expectEverythingStopped(running, lockPath, nodePid, signal);
      // npm forwarded the signal to the service, which stopped cleanly: npm reports success.
      expect(await running.exited).toBe(0);
    },
    120_000,
  );

  it('when npm is killed outright (kill -9): the service sees its parent go and stops', async () => {
    const { service: running, lockPath, nodePid } = await startOnDataDir();
    running.signal('SIGKILL');
    expect(await running.exited).toBe(null);
    await expectEverythingStopped(running, lockPath, nodePid, `the parent process (pid ${running.npmPid}) is gone`);
  }, 120_000);
});

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    return true;
  } catch {
    return false;
  }
}

/** Alive and not a zombie (a process that exited but that its new parent has not reaped yet). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) is all we know
  }
}

async function waitUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + STOP_WITHIN_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${STOP_WITHIN_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
