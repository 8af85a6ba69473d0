/**
 * Runs `npm start` (local/start.ts) for real, as a person would, for the tests that check the
 * whole local service: its own process group, a clean environment (nothing of this test run,
 * such as TABLE_NAME or DYNAMODB_ENDPOINT, leaks in), and its output collected.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../local/free-port.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningService {
  url: string;
  port: number;
  /** pid of start.ts (tsx), the root of the service's process tree. */
  pid: number;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** SIGINT to start.ts alone (not its group, which Java shares): it is start.ts that must stop Java. */
  interrupt(): Promise<number | null>;
  /** Kills the whole group if still running; for `finally`. */
  kill(): void;
}

/** Starts the service with `args` and resolves once `readyWhen` is printed. */
export async function startService(
  args: string[],
  readyWhen: string | ((url: string) => string),
  timeoutMs = 90_000,
): Promise<RunningService> {
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port) };
  // tsx itself rather than `npx tsx`: npm dies of the signal instead of reporting the script's exit code.
  const child = spawn(`${repoRoot}node_modules/.bin/tsx`, ['local/start.ts', ...args], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const service: RunningService = {
    url,
    port,
    pid: child.pid!,
    output: () => output,
    interrupt: async () => {
      child.kill('SIGINT');
      return exited;
    },
    kill: () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };

  const marker = typeof readyWhen === 'string' ? readyWhen : readyWhen(url);
  const deadline = Date.now() + timeoutMs;
  while (!output.includes(marker)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      service.kill();
      throw new Error(`npm start ${args.join(' ')} did not print "${marker}" (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return service;
}
