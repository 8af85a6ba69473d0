/**
 * Bundles every handler with esbuild, with the settings `cdk deploy` uses (infra/bundling.ts),
 * and fails if one cannot be built, does not export `handler`, or cannot even be loaded as the
 * ESM module Lambda will load (the classic "Dynamic require of ... is not supported" of an ESM
 * bundle shows only at load time). A handler file that does not exist yet is skipped here, and
 * `npm run synth` fails on it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../infra/bundling.js';
import { REPO_ROOT } from '../../infra/constructs/fulfillment-function.js';
import { FUNCTION_NAMES, handlerEntry } from '../../infra/handlers.js';

/** A bundled handler above this is worth a look (the AWS SDK is bundled, tree-shaken). */
const MAX_BUNDLE_BYTES = 5 * 1024 * 1024;

/** What the stack sets (infra/constructs/functions.ts), so module-scope configuration loads. */
const LAMBDA_ENV = {
  TABLE_NAME: 'bundle-test',
  POWERTOOLS_SERVICE_NAME: 'fulfillment',
  POWERTOOLS_METRICS_NAMESPACE: 'Fulfillment',
  STAGE: 'test',
  LOG_LEVEL: 'ERROR',
  RESTOCK_EVENT_SOURCE: 'fulfillment.restock',
  AWS_REGION: 'eu-west-1',
};

const outDir = mkdtempSync(path.join(tmpdir(), 'fulfillment-bundles-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('3. Functions: every handler bundles with esbuild (ESM, minified, source maps, SDK bundled)', () => {
  for (const name of FUNCTION_NAMES) {
    const entry = path.join(REPO_ROOT, handlerEntry(name));
    it.skipIf(!existsSync(entry))(
      `${handlerEntry(name)} builds, exports handler and loads`,
      async () => {
        const result = await build({ ...esbuildOptions(entry), absWorkingDir: REPO_ROOT });
        expect(result.errors).toEqual([]);

        const js = result.outputFiles!.find((file) => file.path.endsWith('.mjs'));
        const map = result.outputFiles!.find((file) => file.path.endsWith('.mjs.map'));
        expect(js, 'bundle').toBeDefined();
        expect(map, 'source map').toBeDefined();
        expect(js!.contents.byteLength).toBeLessThan(MAX_BUNDLE_BYTES);

        const [output] = Object.values(result.metafile!.outputs).filter((o) => o.entryPoint);
        expect(output!.exports).toContain('handler');
        // The AWS SDK is inside the bundle, not expected from the runtime.
        expect(output!.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/'))).toEqual([]);

        // Load it the way Lambda does: a plain Node ESM import, outside the repository's node_modules.
        const dir = path.join(outDir, name);
        const file = path.join(dir, 'index.mjs');
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, js!.contents);
        writeFileSync(`${file}.map`, map!.contents);
        const loaded = execFileSync(
          process.execPath,
          [
            '--enable-source-maps',
            '--input-type=module',
            '-e',
            `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(typeof m.handler);`,
          ],
          { cwd: dir, env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV }, encoding: 'utf8', timeout: 30_000 },
        );
        expect(loaded).toBe('function');
      },
      60_000,
    );
  }
});
