import type { Line } from './model.js';

export type { Line };

/**
 * Lines naming the same product merged into one (SPEC: "Lines naming the same product are
 * merged"), quantities summed, sorted by ascending product_id. The sort makes the result a
 * canonical form: two bodies that differ only in line order or splitting merge to equal arrays,
 * which is what order and restock replays compare.
 */
export function mergeLines(lines: readonly Line[]): Line[] {
  const totals = new Map<number, number>();
  for (const { product_id, quantity } of lines) {
    totals.set(product_id, (totals.get(product_id) ?? 0) + quantity);
  }
  return [...totals].sort(([a], [b]) => a - b).map(([product_id, quantity]) => ({ product_id, quantity }));
}
