/**
 * How a handler is bundled, written once for both the CDK (`NodejsFunction`) and the test that
 * bundles every handler with esbuild directly (test/infra/bundle.test.ts), so the test builds
 * exactly what `cdk deploy` ships.
 */
import type { BuildOptions } from 'esbuild';

/** Node.js 22 on Lambda; esbuild down-levels nothing that runtime understands. */
export const NODE_TARGET = 'node22';

/*
 * ESM output with X-Ray (and any CommonJS dependency that calls `require`) needs a real `require`:
 * an ESM bundle has none, so the banner creates one from the module's URL.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Shared esbuild settings. `keepNames` keeps class names that domain errors log (`this.name`). */
export const BUNDLE_SETTINGS = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  keepNames: true,
  target: NODE_TARGET,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  /*
   * Nothing external: the AWS SDK v3 is bundled and tree-shaken instead of taken from the
   * runtime, so the version tested is the version deployed and cold starts load only what is used.
   */
  externalModules: [] as string[],
} as const;

/** The same settings as options for `esbuild.build`, for the bundling test. */
export function esbuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_SETTINGS.target,
    minify: BUNDLE_SETTINGS.minify,
    sourcemap: BUNDLE_SETTINGS.sourceMap,
    sourcesContent: BUNDLE_SETTINGS.sourcesContent,
    keepNames: BUNDLE_SETTINGS.keepNames,
    mainFields: [...BUNDLE_SETTINGS.mainFields],
    banner: { js: BUNDLE_SETTINGS.banner },
    external: [...BUNDLE_SETTINGS.externalModules],
    outfile: 'index.mjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  };
}
