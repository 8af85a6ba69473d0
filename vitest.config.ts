import { defineConfig } from 'vitest/config';

// Four projects, each runnable alone: `npx vitest run --project unit` (pure domain, no I/O),
// `--project integration` (handlers on DynamoDB Local, started once by the global setup),
// `--project infra` (CDK assertions and cdk-nag, offline), `--project browser` (the console in Chromium).
export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          // Handlers log every package; tests show only errors (a test may lower this itself).
          env: { POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], environment: 'node', testTimeout: 180_000 },
      },
      {
        // The operators' console in Chromium, against `npm start` (each file starts its own).
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
      },
    ],
  },
});
