import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstFitDecreasing,
  lowerBoundL2,
  packUnits,
  PACKAGE_LIMIT_G,
  type UnitsToPack,
} from '../../functions/domain/packing.js';
import { lowerBoundDffGroups } from '../../functions/domain/packing/lower-bound.js';
import { bruteForceMinimum, expectValid } from '../support/packing.js';
import { seededRandom } from '../../bench/lib.js';

/**
 * Falkenauer's triplets (1996) scaled from capacity 1000 to 1800 g: every triplet weighs exactly
 * 1800 g, so the optimum is the number of triplets and every package of it is exactly full, while
 * first-fit-decreasing needs several more. The classic hard case for exact searches.
 */
function triplets(count: number, seed: number): UnitsToPack[] {
  const rnd = seededRandom(seed);
  const between = (low: number, high: number) => low + Math.floor(rnd() * (high - low + 1));
  const masses: number[] = [];
  for (let t = 0; t < count; t++) {
    const first = between(684, 882);
    const second = between(450, Math.floor((PACKAGE_LIMIT_G - first) / 2));
    masses.push(first, second, PACKAGE_LIMIT_G - first - second);
  }
  for (let i = masses.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [masses[i], masses[j]] = [masses[j]!, masses[i]!];
  }
  return masses.map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 }));
}

function dffBound(units: UnitsToPack[]): number {
  const byMass = new Map<number, number>();
  for (const u of units) byMass.set(u.mass_g, (byMass.get(u.mass_g) ?? 0) + u.quantity);
  const masses = [...byMass.keys()].sort((a, b) => b - a);
  return lowerBoundDffGroups(
    masses,
    masses.map((m) => byMass.get(m)!),
  );
}

const ffdPackages = (units: UnitsToPack[]) => firstFitDecreasing(units).reduce((n, p) => n + p.count, 0);

function expectExactlyFull(units: UnitsToPack[], result: ReturnType<typeof packUnits>): void {
  const packed = new Map<number, number>();
  for (const pattern of result.patterns) {
    expect(pattern.mass_g).toBe(PACKAGE_LIMIT_G);
    for (const line of pattern.lines) {
      packed.set(line.product_id, (packed.get(line.product_id) ?? 0) + line.quantity * pattern.count);
    }
  }
  expect(packed).toEqual(new Map(units.map((u) => [u.product_id, u.quantity])));
}

describe('packUnits on the literature hard instances', () => {
  it.each([
    [20, 1],
    [20, 2],
    [20, 3],
    [33, 1],
    [33, 2],
    [33, 3],
  ])('reaches the known optimum of Falkenauer triplets: %i triplets, seed %i', (count, seed) => {
    const units = triplets(count, seed);
    const result = packUnits(units);
    expect(result.packageCount).toBe(count);
    expect(result.provenOptimal).toBe(true);
    expect(result.lowerBound).toBe(count);
    expectExactlyFull(units, result);
  });

  it('bounds with Fekete-Schepers where L2 falls short: five units of 601 g need 3 packages', () => {
    const units = [{ product_id: 1, mass_g: 601, quantity: 5 }];
    expect(lowerBoundL2(units)).toBe(2);
    expect(dffBound(units)).toBe(3);
    const result = packUnits(units);
    expect(result.packageCount).toBe(3);
    expect(result.provenOptimal).toBe(true);
  });

  it('never bounds above the true minimum (Fekete-Schepers against brute force, up to 10 units)', () => {
    const mass = fc.oneof(
      fc.integer({ min: 1, max: 1800 }),
      fc.constantFrom(359, 360, 361, 449, 450, 451, 599, 600, 601, 899, 900, 901, 1199, 1200, 1201),
    );
    const units = fc.uniqueArray(
      fc.record({ product_id: fc.nat(1000), mass_g: mass, quantity: fc.integer({ min: 1, max: 4 }) }),
      { minLength: 1, maxLength: 6, selector: (u) => u.product_id },
    );
    fc.assert(
      fc.property(units, (units) => {
        const masses = units.flatMap((u) => Array.from({ length: u.quantity }, () => u.mass_g));
        fc.pre(masses.length <= 10);
        expect(dffBound(units)).toBeLessThanOrEqual(bruteForceMinimum(masses));
      }),
      { numRuns: 500 },
    );
  });

  // 1,000 units of uniform random masses (seeds of this file's generator): L2 is 1 to 3 short of
  // first-fit-decreasing, which the Fekete-Schepers bound proves minimal within the default budget.
  it.each([
    [1, 497],
    [4, 539],
    [6, 506],
  ])(
    'proves first-fit-decreasing minimal on 1,000 random units where L2 is short: seed %i, %i packages',
    (seed, count) => {
      const rnd = seededRandom(seed);
      const units = Array.from({ length: 1000 }, (_, i) => ({
        product_id: i,
        mass_g: 1 + Math.floor(rnd() * PACKAGE_LIMIT_G),
        quantity: 1,
      }));
      expect(lowerBoundL2(units)).toBeLessThan(count);
      expect(ffdPackages(units)).toBe(count);
      const result = packUnits(units);
      expect(result.packageCount).toBe(count);
      expect(result.provenOptimal).toBe(true);
      expect(result.lowerBound).toBe(count);
    },
  );
});

// SPEC rule 2 on ordinary events, which the first merge of this work broke (main reverted it in
// 7a6cfc8): events of the seeded packing bench, `npx tsx bench/packing.ts --events 10000`
// (bench/packing.ts, seed 1, event index in that sequence). The random 100-unit events ran into the
// safety cap and fell back to first-fit-decreasing, one package over; the classic 1,000-unit events
// ended unproven within the default budget, up to five packages over. The minimum of each is known
// independently: for the random events L2 already bounds it (and a valid packing meets it); the
// classic events were proven at these counts by main's packer (3f69b6b) too.
describe('packUnits on ordinary benchmark events, SPEC rule 2 (issue 15)', () => {
  // Random masses, 100 units (always proven): the four events the first merge left unproven.
  it.each([
    {
      event: 2622,
      packages: 46,
      masses: [
        214, 613, 438, 639, 651, 960, 1086, 541, 1750, 1057, 802, 357, 1005, 814, 420, 1496, 984, 256, 148, 1032, 1417,
        962, 896, 159, 1664, 686, 512, 881, 215, 368, 889, 808, 1442, 305, 1199, 856, 1342, 267, 1599, 310, 822, 642,
        1455, 593, 1797, 276, 5, 476, 589, 685, 1688, 1323, 837, 32, 1375, 481, 1081, 645, 524, 474, 524, 397, 955,
        1547, 533, 866, 244, 800, 549, 852, 920, 1125, 1298, 1190, 156, 370, 1351, 650, 1086, 16, 1133, 1767, 1202, 303,
        712, 1082, 1223, 1012, 1352, 1120, 1480, 694, 1228, 699, 1056, 331, 1263, 102, 202, 698,
      ],
    },
    {
      event: 6677,
      packages: 44,
      masses: [
        335, 1549, 1309, 60, 717, 567, 748, 955, 431, 379, 1478, 566, 1784, 1787, 535, 1508, 18, 895, 1235, 1705, 1253,
        1018, 684, 75, 483, 1224, 291, 1214, 1005, 963, 1094, 132, 565, 1119, 852, 771, 1258, 44, 1387, 7, 1558, 186,
        1398, 179, 353, 893, 734, 601, 358, 824, 1008, 218, 140, 1072, 95, 166, 974, 406, 1799, 1548, 1302, 292, 823,
        481, 1087, 415, 517, 111, 831, 735, 1528, 1302, 1098, 1534, 1473, 174, 34, 824, 1270, 245, 1214, 628, 925, 1742,
        171, 1425, 861, 9, 1793, 636, 872, 51, 1128, 484, 1042, 107, 770, 110, 67, 106,
      ],
    },
    {
      event: 8656,
      packages: 45,
      masses: [
        220, 63, 308, 1740, 1542, 714, 1170, 1435, 113, 1216, 1639, 578, 1508, 1136, 1388, 40, 989, 309, 729, 343, 654,
        1162, 1659, 1246, 111, 437, 41, 1146, 985, 1640, 752, 493, 1025, 1345, 354, 881, 130, 1205, 541, 1769, 168, 520,
        1405, 488, 7, 644, 1385, 100, 927, 975, 138, 312, 461, 800, 792, 1620, 197, 1031, 993, 161, 342, 1339, 398, 604,
        941, 264, 695, 1041, 1158, 1659, 1736, 272, 136, 1220, 1352, 441, 683, 1059, 680, 211, 1706, 1170, 272, 1151,
        91, 1080, 419, 81, 1641, 527, 1381, 437, 395, 599, 635, 646, 1717, 152, 1257, 878,
      ],
    },
    {
      event: 9121,
      packages: 45,
      masses: [
        996, 763, 398, 369, 208, 1003, 949, 72, 280, 1753, 699, 533, 1319, 606, 287, 226, 264, 825, 568, 1559, 1599,
        1659, 426, 132, 418, 1721, 1731, 1619, 1741, 1310, 72, 1409, 85, 1786, 997, 1126, 1191, 1658, 1566, 120, 71,
        1629, 792, 219, 624, 1167, 344, 1245, 568, 1474, 1063, 338, 687, 467, 707, 416, 819, 463, 1142, 1482, 1052, 6,
        893, 421, 194, 665, 1397, 1405, 130, 1765, 294, 1467, 1551, 101, 237, 187, 1307, 1, 209, 936, 1150, 767, 1523,
        419, 431, 1226, 319, 716, 840, 406, 362, 87, 176, 551, 1241, 881, 113, 730, 1792, 618,
      ],
    },
  ])(
    'proves the minimum of random 100-unit event $event: $packages packages, the L2 bound',
    ({ packages, masses }) => {
      const units = masses.map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 }));
      expect(lowerBoundL2(units)).toBe(packages);
      expect(ffdPackages(units)).toBe(packages + 1);
      const result = packUnits(units);
      expectValid(units, result.patterns);
      expect(result.provenOptimal).toBe(true);
      expect(result.packageCount).toBe(packages);
      expect(result.lowerBound).toBe(packages);
    },
    30_000,
  );

  // The classic catalog, 1,000 units (proven when it fits the default budget, which these do): the
  // first five were lost by the first merge, the last two by an intermediate step of the fix (the
  // listing work of all open levels was charged only on the way back up, so an attempt ran past
  // its cap and left the local search too little of the budget).
  it.each<{ event: number; packages: number; lines: [number, number, number][] }>([
    {
      event: 1070,
      packages: 236,
      lines: [
        [4, 350, 111],
        [11, 300, 117],
        [12, 300, 101],
        [2, 750, 113],
        [10, 300, 126],
        [0, 700, 126],
        [5, 200, 90],
        [3, 680, 116],
        [6, 120, 100],
      ],
    },
    {
      event: 1375,
      packages: 286,
      lines: [
        [1, 700, 136],
        [11, 300, 130],
        [2, 750, 134],
        [10, 300, 121],
        [5, 200, 115],
        [0, 700, 124],
        [3, 680, 121],
        [4, 350, 119],
      ],
    },
    {
      event: 1779,
      packages: 264,
      lines: [
        [4, 350, 123],
        [5, 200, 156],
        [11, 300, 146],
        [0, 700, 146],
        [3, 680, 159],
        [1, 700, 133],
        [10, 300, 137],
      ],
    },
    {
      event: 3959,
      packages: 237,
      lines: [
        [5, 200, 120],
        [6, 120, 124],
        [3, 680, 136],
        [1, 700, 135],
        [12, 300, 131],
        [4, 350, 132],
        [10, 300, 116],
        [2, 750, 106],
      ],
    },
    {
      event: 6256,
      packages: 252,
      lines: [
        [1, 700, 156],
        [5, 200, 156],
        [0, 700, 174],
        [10, 300, 161],
        [3, 680, 173],
        [6, 120, 180],
      ],
    },
    {
      event: 1427,
      packages: 253,
      lines: [
        [3, 680, 118],
        [2, 750, 118],
        [1, 700, 111],
        [8, 40, 105],
        [4, 350, 103],
        [10, 300, 117],
        [0, 700, 103],
        [5, 200, 113],
        [12, 300, 112],
      ],
    },
    {
      event: 9447,
      packages: 230,
      lines: [
        [6, 120, 208],
        [3, 680, 213],
        [1, 700, 217],
        [5, 200, 166],
        [12, 300, 196],
      ],
    },
    // Lost when the LP of few masses started from the incumbent's packages (issue 15): 246 packages.
    {
      event: 124,
      packages: 242,
      lines: [
        [2, 750, 137],
        [12, 300, 164],
        [3, 680, 164],
        [10, 300, 133],
        [5, 200, 134],
        [8, 40, 135],
        [1, 700, 133],
      ],
    },
  ])(
    'proves the minimum of classic 1,000-unit event $event within the default budget: $packages packages',
    ({ packages, lines }) => {
      const units = lines.map(([product_id, mass_g, quantity]) => ({ product_id, mass_g, quantity }));
      expect(units.reduce((n, u) => n + u.quantity, 0)).toBe(1000);
      const result = packUnits(units);
      expectValid(units, result.patterns);
      expect(result.provenOptimal).toBe(true);
      expect(result.packageCount).toBe(packages);
      expect(result.lowerBound).toBe(packages);
    },
  );
});
