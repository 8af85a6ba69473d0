/**
 * Runs `npm run export` / `npm run import` as their own process, as the npm scripts do (node
 * with tsx as loader, in the package root), for the tests where a process is what is tested:
 * exit codes, a real round trip through files, the data-directory lock between processes.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** TABLE_NAME of this test run never leaks in; pass it in `env` to mean it. */
export function runDataTool(
  script: 'export' | 'import',
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<ToolRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `local/${script}.ts`, ...args], {
      cwd: REPO,
      env: { ...process.env, TABLE_NAME: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
