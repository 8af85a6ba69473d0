/**
 * `npm run demo` against `npm start`, as the README has a new user do it: the classic exercise's
 * two packages, then emergencies first (an emergency order served before an older routine one).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { type RunningService, startService } from '../support/npm-start.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let dataDir: string | undefined;
let service: RunningService | undefined;

afterEach(() => {
  service?.kill();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('plays the classic exercise, serves an emergency before an older routine order, writes off a unit, ships lots first expired first and recalls one', async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'demo-'));
  service = await startService([], (url) => `Try: curl -s ${url}`, { env: { DATA_DIR: dataDir } });
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'local/demo.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(service.port) },
    timeout: 60_000,
  });
  // The classic answer: {0:2, 10:1} (1700 g) and {10:3} (900 g).
  expect(stdout).toContain('2 x RBC A+ Adult (0), 1 x FFP A+ (10) = 1700 g');
  expect(stdout).toContain('3 x FFP A+ (10) = 900 g');
  // Emergencies first: the restock of 2 goes to the newer emergency order; the routine one still waits.
  const [, afterFive = ''] = stdout.split('5. Emergencies first');
  const [emergencies, afterSix = ''] = afterFive.split('6. Write-off');
  const [writeOff, lots = ''] = afterSix.split('7. Lots');
  expect(emergencies).toMatch(/package \S+ for order demo-emergency-\d+: 2 x RBC A\+ Adult \(0\)/);
  expect(emergencies).not.toMatch(/package \S+ for order demo-routine-/);
  expect(emergencies).toMatch(/order demo-emergency-\d+: emergency, status fulfilled/);
  // The waiting list, in serve order, before the restock: the emergency first.
  expect(emergencies).toMatch(
    /in serve order \(GET [^)]*\): demo-emergency-\d+ \(emergency\), demo-routine-\d+ \(routine\)/,
  );
  expect(emergencies).toMatch(/order demo-routine-\d+: routine, status partially_shipped; .*waiting for 2 x/);
  // A write-off, then the product's ledger: the restock first, the write-off last, on hand after each.
  expect(writeOff).toMatch(/\n {3}\d+-1: restock \+\d+, on hand after: \d+/);
  expect(writeOff).toMatch(/\n {3}\d+-\d+: write_off -1 \(damaged\), on hand after: \d+\n?$/);
  // Lots: the lot that expires first goes out first (5 to the first hospital, then 3 and 3 of the
  // later lot to the second), and the recall of it reaches both hospitals' packages.
  expect(lots).toMatch(/order demo-st-marys-\w+: 5 x PLT AB\+ \(6\) = 600 g \(5 from PLT-\w+-A\)/);
  expect(lots).toMatch(/order demo-county-\w+: 6 x PLT AB\+ \(6\) = 720 g \(3 from PLT-\w+-A, 3 from PLT-\w+-B\)/);
  expect(lots).toMatch(/recall reaches order demo-st-marys-\w+: package \S+ with 5 of PLT-\w+-A/);
  expect(lots).toMatch(/recall reaches order demo-county-\w+: package \S+ with 3 of PLT-\w+-A/);
  expect(lots).toMatch(/PLT-\w+-A: recalled true, shipped 8, written off 0/);
}, 120_000);
