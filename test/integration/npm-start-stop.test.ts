/**
 * Stopping `npm start` the ways a process manager, an IDE or a container runtime does: a signal
 * to the npm process alone (not to its process group, as Ctrl-C in a terminal would), or npm
 * killed outright. Each must stop everything within seconds: the HTTP server stops answering,
 * the service process and DynamoDB Local (Java) are gone, and the data directory's lock is
 * given back. (Ctrl-C in a terminal, SIGINT to the whole group: local-server.test.ts.)
 *
 * Each run starts on a data directory whose lock a killed run left behind (stale: taken over).
 * While the service runs, the directory is its alone: a second DynamoDB Local and
 * `npm run export` are refused; once it has stopped, the export reads what it kept.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockPathOf } from '../../local/data-dir-lock.js';
import { readDataFile } from '../../local/data-file.js';
import { startDynamoDBLocal } from '../../local/dynamodb-local.js';
import { runDataTool } from '../support/data-tools.js';
import { type RunningService, startService } from '../support/npm-start.js';

/** Generous for a loaded 2-core machine; a stop takes about a second. */
const STOP_WITHIN_MS = 10_000;
/** Above any pid_max (Linux at most 2^22, macOS 99998): no process has it. */
const NO_SUCH_PID = 2 ** 22 + 1;

let dataDir: string | undefined;
let service: RunningService | undefined;

afterEach(() => {
  service?.kill();
  service = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

/**
 * Starts `npm start` on a data directory of its own, which a killed run left locked; returns
 * it with the service's pids from the lock, which the service must have taken over.
 */
async function startOnDataDir(): Promise<{
  service: RunningService;
  dataDir: string;
  lockPath: string;
  nodePid: number;
}> {
  dataDir = mkdtempSync(join(tmpdir(), 'npm-start-stop-'));
  const lockPath = lockPathOf(dataDir);
  const stale = { pid: NO_SUCH_PID, java_pid: NO_SUCH_PID, command: 'killed', started_at: 'then', token: 'old' };
  writeFileSync(lockPath, JSON.stringify(stale));
  service = await startService([], (url) => `Try: curl -s ${url}`, { env: { DATA_DIR: dataDir } });
  const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number; java_pid: number };
  expect(service.output()).toContain(`data in ${dataDir}`);
  expect(lock.java_pid).toBe(service.javaPid);
  expect(lock.pid).not.toBe(service.npmPid); // npm's script process (exec'd node), not npm
  expect(isRunning(lock.pid) && isRunning(service.javaPid)).toBe(true);
  expect((await fetch(`${service.url}/health`)).status).toBe(200);
  return { service, dataDir, lockPath, nodePid: lock.pid };
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
  it('when npm alone receives SIGTERM; until then the data directory is its alone, then the export reads it', async () => {
    const { service: running, dataDir: dir, lockPath, nodePid } = await startOnDataDir();
    const kept = await fetch(`${running.url}/inventory/init_catalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ product_name: 'Kept after stop', mass_g: 450 }]),
    });
    expect(kept.status).toBe(201);
    // A second DynamoDB Local on the same files is refused before any Java starts...
    await expect(startDynamoDBLocal({ dataDir: dir })).rejects.toThrow(DataDirInUseError);
    // ...and so are the tools, pointing at the service's own DynamoDB Local instead (exit 3).
    const out = join(dir, '..', `${basename(dir)}-export.json`);
    const refused = await runDataTool('export', ['--data-dir', dir, '--out', out]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`The data directory ${dir} is in use by process ${nodePid}`);
    expect(refused.stderr).toContain('--endpoint');

    running.signal('SIGTERM');
    await expectEverythingStopped(running, lockPath, nodePid, 'SIGTERM');
    // npm forwarded the signal to the service, which stopped cleanly: npm reports success.
    expect(await running.exited).toBe(0);

    // The directory is free: the tool's own DynamoDB Local reads what the service kept, and gives it back.
    try {
      const exported = await runDataTool('export', ['--data-dir', dir, '--out', out]);
      expect(exported.stderr).not.toMatch(/Refused|Failed/);
      expect(exported.code).toBe(0);
      const names = readDataFile(out).items.flatMap((item) =>
        item.product_name && 'S' in item.product_name ? [item.product_name.S] : [],
      );
      expect(names).toEqual(['Kept after stop']);
      expect(existsSync(lockPath)).toBe(false);
    } finally {
      rmSync(out, { force: true });
    }
  }, 180_000);

  it('when npm alone receives SIGINT', async () => {
    const { service: running, lockPath, nodePid } = await startOnDataDir();
    running.signal('SIGINT');
    await expectEverythingStopped(running, lockPath, nodePid, 'SIGINT');
    expect(await running.exited).toBe(0);
  }, 120_000);

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
