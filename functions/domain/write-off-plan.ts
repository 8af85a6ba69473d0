/**
 * Which units a write-off takes (SPEC v2 "Write-offs", rule 9), pure: a line naming a lot takes
 * from that lot, whether usable or not (expired units are written off by name); a line without a
 * lot takes from the product's usable lots, first expired first. Lines naming lots are planned
 * first, so a line without a lot never takes the units another line names.
 */
import { afterTakes, type LotStock, type LotTake, mergeTakes, type StockTake, takeFefo } from './lots.js';
import type { WriteOffLine } from './requests.js';

export interface WriteOffPlan {
  /** Per line (same order as given), the lots its units come from. */
  lineTakes: LotTake[][];
  /** Per product, what its update takes from each lot. */
  productTakes: Map<number, StockTake[]>;
  /** Products a line takes from first expired first (no lot named): their write guards the lots seen. */
  fefoProducts: Set<number>;
  /** Lines that take more than their lot (or the usable lots) hold: the write-off changes nothing. */
  short: Array<{ line: number; message: string }>;
}

export function planWriteOff(
  lines: readonly WriteOffLine[],
  lotsOf: (productId: number) => readonly LotStock[],
  horizon: string,
): WriteOffPlan {
  const lineTakes: LotTake[][] = lines.map(() => []);
  const left = new Map<number, LotStock[]>();
  const taken = new Map<number, StockTake[]>();
  const short: WriteOffPlan['short'] = [];
  const fefoProducts = new Set<number>();
  const order = lines.map((_, i) => i).sort((a, b) => Number(lines[a]!.lot === null) - Number(lines[b]!.lot === null));
  for (const i of order) {
    const line = lines[i]!;
    const lots = left.get(line.product_id) ?? [...lotsOf(line.product_id)];
    let takes: StockTake[];
    if (line.lot !== null) {
      const lot = lots.find((l) => l.lot === line.lot);
      const onHand = lot?.quantity ?? 0;
      if (onHand < line.quantity) {
        short.push({
          line: i,
          message: `takes ${line.quantity} units of lot ${line.lot} of product ${line.product_id}; ${onHand} on hand`,
        });
        continue;
      }
      takes = [
        { lot: line.lot, quantity: line.quantity, expiresAt: lot!.expiresAt, empties: onHand === line.quantity },
      ];
    } else {
      const fefo = takeFefo(lots, line.quantity, horizon);
      if (fefo.short > 0) {
        const usable = line.quantity - fefo.short;
        const expired = lots.reduce((n, l) => n + l.quantity, 0) - usable;
        short.push({
          line: i,
          message:
            `takes ${line.quantity} units of product ${line.product_id}; ${usable} on hand` +
            (expired > 0 ? ` and usable (${expired} more expired or recalled: name their lot)` : ''),
        });
        continue;
      }
      takes = fefo.takes;
      fefoProducts.add(line.product_id);
    }
    lineTakes[i] = takes.map(({ lot, quantity }) => ({ lot, quantity }));
    left.set(line.product_id, afterTakes(lots, takes));
    taken.set(line.product_id, [...(taken.get(line.product_id) ?? []), ...takes]);
  }
  const productTakes = new Map(
    [...taken].map(([productId, takes]) => {
      const before = new Map(lotsOf(productId).map((l) => [l.lot, l]));
      return [
        productId,
        mergeTakes(takes).map((t) => ({
          ...t,
          empties: t.lot !== null && t.quantity === before.get(t.lot)?.quantity,
        })),
      ];
    }),
  );
  return { lineTakes, productTakes, fefoProducts, short };
}
