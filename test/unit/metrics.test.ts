/**
 * The counts kept across a process (condition retries, packing fallbacks) reach CloudWatch as
 * EMF metrics after each invocation: only what was added since the last flush, and nothing
 * when nothing happened. The alarms and dashboard of the stack read these names.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

let printed: string[];

beforeEach(() => {
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', 'true'); // EMF to the console (a Lambda writes it to stdout)
  printed = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  vi.spyOn(console, 'info').mockImplementation((line: unknown) => void printed.push(String(line)));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** The metric values of every EMF document printed since the last call. */
function published(): Array<Record<string, unknown>> {
  const documents = printed
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  printed = [];
  return documents;
}

describe('process-wide counters as metrics', () => {
  it('publishes the retries and fallbacks added since the last flush, then nothing more', async () => {
    const { publishMetrics } = await import('../../functions/commons/metrics.js');
    const { retryCounter, packingCounters } = await import('../../functions/commons/counters.js');

    retryCounter.conditionRetries += 2;
    packingCounters.fallbacks += 1;
    publishMetrics();
    const [first] = published();
    expect(first).toMatchObject({ ConditionRetries: 2, PackingFallbacks: 1, service: 'fulfillment' });

    retryCounter.conditionRetries += 3;
    publishMetrics();
    const [second] = published();
    expect(second).toMatchObject({ ConditionRetries: 3 });
    expect(second).not.toHaveProperty('PackingFallbacks');

    publishMetrics();
    expect(published()).toEqual([]);
  });
});
