/**
 * Packings as patterns, and the helpers every algorithm in this folder shares to count, weigh,
 * and order them.
 *
 * A pattern is `count` identical packages, so 10,000 identical packages stay one object and work
 * follows the number of distinct packages, not of units. `canonicalPatterns` puts any packing in
 * one fixed order: equal inputs give equal outputs, whatever order the algorithms found them in.
 */
import { totalMass } from './mass-groups.js';

/** `count` identical packages holding `counts[i]` units of mass group i. */
export interface MassPattern {
  readonly counts: readonly number[];
  readonly count: number;
}

export function packageCount(patterns: readonly MassPattern[]): number {
  return patterns.reduce((sum, pattern) => sum + pattern.count, 0);
}

export function patternMass(masses: readonly number[], pattern: MassPattern): number {
  return totalMass(masses, pattern.counts);
}

/**
 * Identical packages merged, heaviest first, then by more units of heavier masses: one fixed order
 * for any packing, so equal inputs give equal outputs.
 */
export function canonicalPatterns(masses: readonly number[], patterns: readonly MassPattern[]): MassPattern[] {
  const merged = new Map<string, { counts: readonly number[]; count: number; mass: number }>();
  for (const pattern of patterns) {
    if (pattern.count === 0) continue;
    const key = sparseKey(pattern.counts);
    const seen = merged.get(key);
    if (seen) seen.count += pattern.count;
    else merged.set(key, { counts: pattern.counts, count: pattern.count, mass: patternMass(masses, pattern) });
  }
  const heavierFirst = (
    a: { counts: readonly number[]; mass: number },
    b: { counts: readonly number[]; mass: number },
  ) => {
    const byMass = b.mass - a.mass;
    if (byMass !== 0) return byMass;
    for (let i = 0; i < masses.length; i++) {
      if (a.counts[i] !== b.counts[i]) return b.counts[i]! - a.counts[i]!;
    }
    return 0;
  };
  return [...merged.values()].sort(heavierFirst).map(({ counts, count }) => ({ counts, count }));
}

/** `group:units` of the groups present: short for the many-masses, few-units-each patterns. */
function sparseKey(counts: readonly number[]): string {
  let key = '';
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) key += `${i}:${counts[i]},`;
  return key;
}
