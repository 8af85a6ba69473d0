/**
 * Runs `npm start` (package.json's script, local/start.ts) for real, as a person or a process
 * manager would: npm itself, in its own process group (so that `kill()` can end everything
 * in a `finally`), with a clean environment (nothing of this test run, such as TABLE_NAME or
 * DYNAMODB_ENDPOINT, leaks in), and its output collected.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../local/free-port.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningService {
  url: string;
  port: number;
  /** The npm process: the one a process manager or an IDE knows, and signals. */
  npmPid: number;
  /** The DynamoDB Local (Java) pid the service printed. */
  javaPid: number;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /**
   * Sends `signal` to npm alone, as a process manager does (default), or to the whole process
   * group, which the service and Java share, as Ctrl-C in a terminal does.
   */
  signal(signal: NodeJS.Signals, to?: 'npm' | 'group'): void;
  /** Resolves with npm's exit code (null when a signal killed it). */
  exited: Promise<number | null>;
  /** SIGINT to npm alone, then npm's exit code: npm forwards it, and the service must stop Java. */
  interrupt(): Promise<number | null>;
  /** Kills the whole group if still running; for `finally`. */
  kill(): void;
}

export interface StartOptions {
  /** More environment variables, e.g. DATA_DIR. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Starts `npm start -- ...args` and resolves once `readyWhen` is printed. */
export async function startService(
  args: string[],
  readyWhen: string | ((url: string) => string),
  { env: extraEnv = {}, timeoutMs = 90_000 }: StartOptions = {},
): Promise<RunningService> {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(port),
    npm_config_update_notifier: 'false',
    ...extraEnv,
  };
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const groupId = child.pid!;
  const kill = () => {
    try {
      // The group outlives npm when npm dies first (the case under test): end it whatever npm's state.
      process.kill(-groupId, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  const marker = typeof readyWhen === 'string' ? readyWhen : readyWhen(url);
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(marker)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      kill();
      throw new Error(`npm start ${args.join(' ')} did not print "${marker}" (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const javaPid = Number(/DynamoDB Local \(pid (\d+)\)/.exec(output)?.[1]);
  return {
    url,
    port,
    npmPid: child.pid!,
    javaPid,
    output: () => output,
    signal: (signal, to = 'npm') => (to === 'group' ? process.kill(-groupId, signal) : child.kill(signal)),
    exited,
    interrupt: async () => {
      child.kill('SIGINT');
      return exited;
    },
    kill,
  };
}
