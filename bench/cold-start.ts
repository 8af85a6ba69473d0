/**
 * Cold start (issue 5, item 5): each handler bundled exactly as `cdk deploy` ships it
 * (infra/bundling.ts: esbuild, minified, ESM, SDK bundled), its size, and the time a fresh
 * `node` process takes to import it (median of N processes), with the heaviest input named from
 * the esbuild metafile (by bytes it contributes to the bundle).
 *
 * Load time is measured inside each fresh process, from just before `import()` of the bundle to
 * just after, so Node's own start-up is not counted. Environment as in Lambda (region, table).
 *
 * Run alone: `npx tsx bench/cold-start.ts [--runs 10]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../infra/bundling.js';
import { backgroundHandlers, routes } from '../functions/routes.js';
import { argValue, isMain, percentile, round } from './lib.js';

export interface ColdStartResult {
  handler: string;
  bundleBytes: number;
  gzipBytes: number;
  loadMs: { median: number; min: number; max: number; runs: number };
  heaviestInput: { path: string; bytes: number };
  /** Bytes in the bundle per package (node_modules/<pkg>) or `functions/`. */
  topPackages: Array<{ name: string; bytes: number }>;
}

function packageOf(input: string): string {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return m ? m[1]! : input.split('/')[0]!;
}

export async function runColdStartBench(options: {
  runs: number;
  log?: (line: string) => void;
}): Promise<ColdStartResult[]> {
  const names = [...new Set([...routes.map((r) => r.handler), ...backgroundHandlers])];
  const dir = join(tmpdir(), `cold-start-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const { gzipSync } = await import('node:zlib');
  const out: ColdStartResult[] = [];
  try {
    for (const name of names) {
      const result = await build({ ...esbuildOptions(`functions/handlers/${name}.ts`), sourcemap: false });
      const file = result.outputFiles!.find((f) => f.path.endsWith('.mjs'))!;
      const path = join(dir, `${name}.mjs`);
      writeFileSync(path, file.contents);
      const output = Object.values(result.metafile!.outputs)[0]!;
      const inputs = Object.entries(output.inputs).map(([p, v]) => ({ path: p, bytes: v.bytesInOutput }));
      inputs.sort((a, b) => b.bytes - a.bytes);
      const byPackage = new Map<string, number>();
      for (const i of inputs) byPackage.set(packageOf(i.path), (byPackage.get(packageOf(i.path)) ?? 0) + i.bytes);
      const topPackages = [...byPackage]
        .map(([n, bytes]) => ({ name: n, bytes }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 3);

      const script = `const t=performance.now();await import(${JSON.stringify(path)});process.stdout.write(String(performance.now()-t));`;
      const times: number[] = [];
      for (let i = 0; i < options.runs; i++) {
        const text = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'us-east-1',
            TABLE_NAME: 'cold-start',
            POWERTOOLS_METRICS_DISABLED: 'true',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
          },
          encoding: 'utf8',
          timeout: 30_000,
        });
        times.push(Number(text));
      }
      const r: ColdStartResult = {
        handler: name,
        bundleBytes: file.contents.length,
        gzipBytes: gzipSync(file.contents).length,
        loadMs: {
          median: round(percentile(times, 50), 1),
          min: round(Math.min(...times), 1),
          max: round(Math.max(...times), 1),
          runs: times.length,
        },
        heaviestInput: inputs[0]!,
        topPackages,
      };
      options.log?.(
        `cold start ${name.padEnd(16)} ${(r.bundleBytes / 1024).toFixed(0)} KiB (${(r.gzipBytes / 1024).toFixed(0)} KiB gz), load median ${r.loadMs.median} ms; heaviest ${r.heaviestInput.path} (${(r.heaviestInput.bytes / 1024).toFixed(0)} KiB); packages ${topPackages.map((p) => `${p.name} ${(p.bytes / 1024).toFixed(0)} KiB`).join(', ')}`,
      );
      out.push(r);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (isMain(import.meta.url)) {
  const results = await runColdStartBench({ runs: Number(argValue('runs', '10')), log: console.log });
  if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
}
