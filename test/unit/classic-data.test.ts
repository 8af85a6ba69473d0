import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The demo ships its own copy so the repository runs without ../shared; it must not drift.
const shared = new URL('../../../shared/data/classic-exercise.json', import.meta.url);
const local = new URL('../../functions/data/classic-exercise.json', import.meta.url);

describe('classic exercise data', () => {
  it.skipIf(!existsSync(shared))('the demo copy equals ../shared/data/classic-exercise.json', () => {
    expect(JSON.parse(readFileSync(local, 'utf8'))).toEqual(JSON.parse(readFileSync(shared, 'utf8')));
  });
});
