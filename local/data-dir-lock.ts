/**
 * One DynamoDB Local per data directory. Two Java processes on one SQLite file can corrupt it,
 * so `startDynamoDBLocal({ dataDir })` takes this lock before it starts Java and gives it back
 * once Java has exited. The lock is a small JSON file in the data directory naming the Node
 * process that owns it and its Java child; it is stale (and taken over) once both are dead,
 * e.g. after a `kill -9` (the orphan watchdog then ends Java, and the lock goes stale with it).
 *
 * The file is created with link(2), which fails if it exists, so two starters can never both
 * win; its content is written before it appears, so a reader never sees half a lock.
 */
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE_NAME = 'dynamodb-local.lock';

export interface DataDirLockInfo {
  /** The Node process that started DynamoDB Local on this directory. */
  pid: number;
  /** Its Java process, once started. */
  java_pid?: number;
  /** What that process was, for the message shown to whoever is refused (e.g. `tsx local/start.ts`). */
  command: string;
  started_at: string;
  /** Tells our own lock from a successor's, so release() never removes someone else's. */
  token: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Records the Java pid (atomic replace of the file). */
  setJavaPid(javaPid: number): void;
  /** Removes the file if it is still ours. Idempotent. */
  release(): void;
}

/** Thrown when a live process holds the directory; nothing was started. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockPath: string,
    readonly holder: DataDirLockInfo | undefined,
  ) {
    const who = holder
      ? `process ${holder.pid}${holder.java_pid ? ` (DynamoDB Local pid ${holder.java_pid})` : ''}, started ${holder.started_at} by \`${holder.command}\``
      : 'an unreadable lock file';
    super(
      `The data directory ${dataDir} is in use by ${who}. ` +
        `Only one DynamoDB Local may use it at a time: stop that process first (e.g. Ctrl-C in the terminal of \`npm start\`). ` +
        `If you are sure no such process runs, delete ${lockPath}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

export function lockPathOf(dataDir: string): string {
  return join(dataDir, LOCK_FILE_NAME);
}

/**
 * `kill(pid, 0)` probes without signalling; EPERM means it exists but belongs to someone else. A
 * zombie (a process that died and that its new parent has not reaped yet: after a crash, under a
 * container's init, that can last) answers `kill` too, but holds nothing: it counts as dead.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may itself hold any character.
    return stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z';
  } catch {
    return false; // no /proc (macOS) or already gone: kill(0) is all we know
  }
}

/** The current lock, if any: `live` is false once both recorded processes are dead. */
export function readDataDirLock(
  dataDir: string,
): { info: DataDirLockInfo | undefined; raw: string; live: boolean } | undefined {
  let raw: string;
  try {
    raw = readFileSync(lockPathOf(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const info = parseLock(raw);
  // An unreadable lock is never taken over silently: the message tells how to remove it.
  const live =
    info === undefined || isProcessAlive(info.pid) || (info.java_pid !== undefined && isProcessAlive(info.java_pid));
  return { info, raw, live };
}

/** Takes the lock of `dataDir` (which must exist) or throws DataDirInUseError. */
export function acquireDataDirLock(dataDir: string, command = describeThisProcess()): DataDirLock {
  const path = lockPathOf(dataDir);
  const info: DataDirLockInfo = {
    pid: process.pid,
    command,
    started_at: new Date().toISOString(),
    token: randomUUID(),
  };
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, info)) break;
    const current = readDataDirLock(dataDir);
    if (current === undefined) continue; // released between our two steps: try again
    if (current.live || attempt >= 3) throw new DataDirInUseError(dataDir, path, current.info);
    // Stale: remove it, but only if it is still the stale one we read (a racing starter may
    // already have replaced it with its own live lock).
    if (readRaw(path) === current.raw) unlinkQuietly(path);
  }

  let released = false;
  return {
    path,
    setJavaPid(javaPid) {
      if (released) return;
      info.java_pid = javaPid;
      const temp = `${path}.${info.token}.tmp`;
      writeFileSync(temp, serialize(info));
      renameSync(temp, path);
    },
    release() {
      if (released) return;
      released = true;
      if (parseLock(readRaw(path) ?? '')?.token === info.token) unlinkQuietly(path);
    },
  };
}

function tryCreate(path: string, info: DataDirLockInfo): boolean {
  const temp = `${path}.${info.token}.tmp`;
  writeFileSync(temp, serialize(info));
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkQuietly(temp);
  }
}

function serialize(info: DataDirLockInfo): string {
  return `${JSON.stringify(info, null, 2)}\n`;
}

function parseLock(raw: string): DataDirLockInfo | undefined {
  try {
    const value = JSON.parse(raw) as Partial<DataDirLockInfo>;
    if (typeof value.pid !== 'number' || typeof value.token !== 'string') return undefined;
    return {
      pid: value.pid,
      java_pid: typeof value.java_pid === 'number' ? value.java_pid : undefined,
      command: String(value.command ?? '?'),
      started_at: String(value.started_at ?? '?'),
      token: value.token,
    };
  } catch {
    return undefined;
  }
}

function readRaw(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function describeThisProcess(): string {
  const script = process.argv[1] ?? '';
  const relevant = script.includes('/local/') ? script.slice(script.lastIndexOf('/local/') + 1) : script;
  return ['node', relevant, ...process.argv.slice(2)].filter(Boolean).join(' ');
}
