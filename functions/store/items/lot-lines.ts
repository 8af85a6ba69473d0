/**
 * The lots of shipped units as a ShipmentItem or PartItem keeps them: per product, its lots in
 * the order they were taken (first expired first), one entry per lot.
 */
import type { LotTake } from '../../domain/lots.js';

/** Lots per product as stored: `{"<product_id>": [[lot or null, quantity], ...]}`. */
export function lotsToMap(lots: Map<number, LotTake[]>): Record<string, Array<[string | null, number]>> {
  return Object.fromEntries([...lots].map(([p, takes]) => [String(p), takes.map((t) => [t.lot, t.quantity])]));
}

export function lotsFromMap(value: unknown): Map<number, LotTake[]> {
  return new Map(
    Object.entries(value as Record<string, Array<[string | null, number]>>).map(([p, takes]) => [
      Number(p),
      takes.map(([lot, quantity]) => ({ lot: lot ?? null, quantity: Number(quantity) })),
    ]),
  );
}
