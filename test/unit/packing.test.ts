import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  firstFitDecreasing,
  lowerBoundL2,
  packUnits,
  PACKAGE_LIMIT_G,
  type PackagePattern,
} from '../../functions/domain/packing.js';
import { bruteForceMinimum, expectValid } from '../support/packing.js';

const count = (patterns: PackagePattern[]) => patterns.reduce((n, p) => n + p.count, 0);

const unitsArb = (maxProducts: number, maxQuantity: number, mass = fc.integer({ min: 1, max: 1800 })) =>
  fc.uniqueArray(
    fc.record({ product_id: fc.nat(1000), mass_g: mass, quantity: fc.integer({ min: 1, max: maxQuantity }) }),
    {
      minLength: 1,
      maxLength: maxProducts,
      selector: (u) => u.product_id,
    },
  );

describe('packUnits', () => {
  it('packs the classic order {0: 2 x 700 g, 10: 4 x 300 g} into 2 packages', () => {
    const units = [
      { product_id: 0, mass_g: 700, quantity: 2 },
      { product_id: 10, mass_g: 300, quantity: 4 },
    ];
    const result = packUnits(units);
    expect(result.packageCount).toBe(2);
    expect(result.provenOptimal).toBe(true);
    expectValid(units, result.patterns);
  });

  it('beats first-fit-decreasing where FFD is not optimal', () => {
    // 40 light masses, 2 units each: FFD needs 5 packages, 4 suffice (total 7160 g).
    const units = Array.from({ length: 40 }, (_, i) => ({ product_id: i, mass_g: 70 + i, quantity: 2 }));
    expect(count(firstFitDecreasing(units))).toBe(5);
    const result = packUnits(units);
    expect(result.packageCount).toBe(4);
    expect(result.provenOptimal).toBe(true);
    expectValid(units, result.patterns);
  });

  it('finds the true minimum on small cases (brute force, up to 10 units)', () => {
    fc.assert(
      fc.property(unitsArb(5, 3, fc.integer({ min: 200, max: 1100 })), (units) => {
        const masses = units.flatMap((u) => Array.from({ length: u.quantity }, () => u.mass_g));
        fc.pre(masses.length <= 10);
        const result = packUnits(units);
        expectValid(units, result.patterns);
        return result.packageCount === bruteForceMinimum(masses) && result.provenOptimal;
      }),
      { numRuns: 300 },
    );
  });

  it('is valid, at most FFD and at least the L2 bound, which is at least the L1 bound', () => {
    fc.assert(
      fc.property(unitsArb(12, 40), (units) => {
        const result = packUnits(units);
        expectValid(units, result.patterns);
        const total = units.reduce((s, u) => s + u.mass_g * u.quantity, 0);
        const l2 = lowerBoundL2(units);
        return (
          result.packageCount <= count(firstFitDecreasing(units)) &&
          result.packageCount >= l2 &&
          l2 >= Math.ceil(total / PACKAGE_LIMIT_G) &&
          result.lowerBound <= result.packageCount
        );
      }),
      { numRuns: 200 },
    );
  });

  it('always proves the minimum up to 100 units, also for masses near a third of a package', () => {
    fc.assert(
      fc.property(unitsArb(30, 5, fc.integer({ min: 450, max: 650 })), (units) => {
        fc.pre(units.reduce((s, u) => s + u.quantity, 0) <= 100);
        const result = packUnits(units);
        expectValid(units, result.patterns);
        return result.provenOptimal && !result.usedFallback;
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same packages for the same units in any order', () => {
    fc.assert(
      fc.property(unitsArb(8, 20), (units) => {
        const a = packUnits(units);
        const b = packUnits([...units].reverse());
        expect(b.patterns).toEqual(a.patterns);
      }),
      { numRuns: 100 },
    );
  });

  it('packs a million units without listing them one by one', () => {
    const units = Array.from({ length: 100 }, (_, i) => ({ product_id: i, mass_g: 1 + i * 17, quantity: 10_000 }));
    const result = packUnits(units);
    expectValid(units, result.patterns);
    expect(result.patterns.length).toBeLessThan(10_000);
    expect(result.packageCount).toBeLessThanOrEqual(count(firstFitDecreasing(units)));
  });

  it('refuses a mass over 1800 g', () => {
    expect(() => packUnits([{ product_id: 1, mass_g: 1801, quantity: 1 }])).toThrow(RangeError);
  });

  it('refuses a quantity below 1, a fractional mass, and one product with two masses', () => {
    expect(() => packUnits([{ product_id: 1, mass_g: 500, quantity: 0 }])).toThrow(RangeError);
    expect(() => packUnits([{ product_id: 1, mass_g: 500.5, quantity: 1 }])).toThrow(RangeError);
    const twoMasses = [
      { product_id: 3, mass_g: 600, quantity: 1 },
      { product_id: 3, mass_g: 601, quantity: 1 },
    ];
    expect(() => packUnits(twoMasses)).toThrow(RangeError);
  });

  it('merges entries that name the same product', () => {
    const result = packUnits([
      { product_id: 3, mass_g: 600, quantity: 2 },
      { product_id: 3, mass_g: 600, quantity: 1 },
    ]);
    expect(result.patterns).toEqual([{ lines: [{ product_id: 3, quantity: 3 }], mass_g: 1800, count: 1 }]);
  });

  it('keeps identical packages as one pattern', () => {
    const result = packUnits([{ product_id: 7, mass_g: 1800, quantity: 10_000 }]);
    expect(result.patterns).toEqual([{ lines: [{ product_id: 7, quantity: 1 }], mass_g: 1800, count: 10_000 }]);
    expect(result.provenOptimal).toBe(true);
  });

  it('proves with the LP bound where L2 is weak: 10,000 x 700 g and 10,000 x 500 g need 7,500', () => {
    const units = [
      { product_id: 1, mass_g: 700, quantity: 10_000 },
      { product_id: 2, mass_g: 500, quantity: 10_000 },
    ];
    expect(lowerBoundL2(units)).toBe(6667);
    expect(count(firstFitDecreasing(units))).toBe(8334);
    const result = packUnits(units);
    expect(result).toMatchObject({ packageCount: 7500, lowerBound: 7500, provenOptimal: true, usedFallback: false });
    // The only packing into 7,500: every 500 g unit beside a 700 g one, two to a package.
    expect(result.patterns).toEqual([
      {
        lines: [
          { product_id: 1, quantity: 1 },
          { product_id: 2, quantity: 2 },
        ],
        mass_g: 1700,
        count: 5000,
      },
      { lines: [{ product_id: 1, quantity: 2 }], mass_g: 1400, count: 2500 },
    ]);
  });

  it('falls back to a packing no worse than FFD, and says so, when the budget is spent', () => {
    const units = [
      { product_id: 1, mass_g: 700, quantity: 10_000 },
      { product_id: 2, mass_g: 500, quantity: 10_000 },
    ];
    const result = packUnits(units, { timeBudgetMs: 0 });
    expectValid(units, result.patterns);
    expect(result.usedFallback).toBe(true);
    expect(result.provenOptimal).toBe(false);
    expect(result.packageCount).toBeLessThanOrEqual(8334);
    expect(result.lowerBound).toBeGreaterThanOrEqual(lowerBoundL2(units));
    expect(result.lowerBound).toBeLessThan(result.packageCount);
  });

  it('finds the true minimum on small cases of any masses, hard ones included (brute force)', () => {
    const mass = fc.oneof(
      fc.integer({ min: 1, max: 1800 }),
      fc.constantFrom(359, 360, 361, 449, 450, 451, 599, 600, 601, 899, 900, 901, 1199, 1200),
    );
    fc.assert(
      fc.property(unitsArb(6, 4, mass), (units) => {
        const masses = units.flatMap((u) => Array.from({ length: u.quantity }, () => u.mass_g));
        fc.pre(masses.length <= 10);
        const result = packUnits(units);
        expectValid(units, result.patterns);
        expect(result.packageCount).toBe(bruteForceMinimum(masses));
        expect(result.provenOptimal).toBe(true);
        expect(result.lowerBound).toBe(result.packageCount);
      }),
      { numRuns: 300 },
    );
  });

  it('always proves the minimum up to 100 units: few masses near 1/2, 1/3, 1/4 of a package, many units each', () => {
    const nearFractions = fc.constantFrom(359, 360, 361, 449, 450, 451, 599, 600, 601, 899, 900, 901, 1199, 1200);
    const fewMasses = fc.uniqueArray(
      fc.record({ product_id: fc.nat(1000), mass_g: nearFractions, quantity: fc.integer({ min: 5, max: 40 }) }),
      { minLength: 2, maxLength: 6, selector: (u) => u.product_id },
    );
    fc.assert(
      fc.property(fewMasses, (units) => {
        fc.pre(units.reduce((s, u) => s + u.quantity, 0) <= 100);
        const result = packUnits(units);
        expectValid(units, result.patterns);
        return result.provenOptimal && result.packageCount === result.lowerBound && !result.usedFallback;
      }),
      { numRuns: 100 },
    );
  });

  it('always proves the minimum up to 100 units: up to 100 different masses of any size', () => {
    const manyMasses = fc.uniqueArray(
      fc.record({ product_id: fc.nat(1000), mass_g: fc.integer({ min: 1, max: 1800 }), quantity: fc.constant(1) }),
      { minLength: 60, maxLength: 100, selector: (u) => u.product_id },
    );
    fc.assert(
      fc.property(manyMasses, (units) => {
        const result = packUnits(units);
        expectValid(units, result.patterns);
        return result.provenOptimal && result.packageCount === result.lowerBound;
      }),
      { numRuns: 30 },
    );
  });

  it('lists packages heaviest first, each with its lines in product_id order', () => {
    fc.assert(
      fc.property(unitsArb(12, 30), (units) => {
        const { patterns } = packUnits(units);
        patterns.forEach((p, i) => {
          if (i > 0) expect(p.mass_g).toBeLessThanOrEqual(patterns[i - 1]!.mass_g);
          for (let j = 1; j < p.lines.length; j++)
            expect(p.lines[j]!.product_id).toBeGreaterThan(p.lines[j - 1]!.product_id);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('gives the same packages in any order beyond 100 units too: the budget counts work, not time', () => {
    const overHundred = fc.uniqueArray(
      fc.record({
        product_id: fc.nat(1000),
        mass_g: fc.integer({ min: 1, max: 1800 }),
        quantity: fc.integer({ min: 1, max: 60 }),
      }),
      { minLength: 8, maxLength: 40, selector: (u) => u.product_id },
    );
    fc.assert(
      fc.property(overHundred, fc.nat(), (units, cut) => {
        fc.pre(units.reduce((s, u) => s + u.quantity, 0) > 100);
        const k = cut % units.length;
        const reordered = [...units.slice(k), ...units.slice(0, k)].reverse();
        expect(packUnits(reordered)).toEqual(packUnits(units));
      }),
      { numRuns: 30 },
    );
  });
  // Two events of the seeded packing benchmark (random masses, 100 units, seed 1) that L2 and the
  // LP without dual-optimal inequalities (which stalled in degenerate pivots) could not settle:
  // only an exhaustive search could show that 44 packages are impossible, which took seconds.
  it('proves 45 packages minimal where L2 says 44: the converged LP bound, not an exhaustive search', () => {
    for (const masses of [
      [
        544, 1211, 132, 744, 84, 847, 838, 1291, 780, 840, 1283, 252, 868, 1106, 1274, 280, 488, 251, 1390, 877, 346,
        441, 835, 808, 121, 151, 966, 139, 97, 281, 1074, 340, 867, 356, 122, 951, 1711, 757, 197, 1355, 681, 905, 751,
        365, 681, 1662, 1553, 922, 1417, 1694, 469, 314, 498, 987, 440, 63, 1144, 160, 834, 1122, 1406, 1648, 928, 1239,
        725, 1385, 1465, 190, 151, 85, 1432, 545, 62, 598, 763, 340, 1768, 1799, 89, 108, 1675, 1586, 1693, 219, 1570,
        328, 254, 435, 1065, 1530, 359, 1331, 1743, 446, 1101, 1002, 499, 1132, 118, 69,
      ],
      [
        1180, 580, 1783, 720, 581, 915, 1545, 1509, 163, 1197, 945, 169, 1689, 224, 756, 1629, 137, 1576, 235, 147, 656,
        547, 278, 1392, 980, 969, 995, 856, 1059, 411, 967, 266, 2, 1786, 133, 1353, 83, 1765, 808, 1640, 625, 993,
        1097, 856, 658, 625, 896, 1756, 640, 801, 1261, 534, 1748, 292, 914, 1767, 1243, 31, 280, 1480, 166, 940, 841,
        865, 925, 331, 106, 1204, 1080, 61, 718, 1199, 1100, 565, 343, 338, 337, 437, 1294, 1322, 583, 565, 183, 301,
        16, 17, 643, 246, 122, 1325, 713, 905, 868, 1366, 208, 806, 776, 152, 1538, 93,
      ],
    ]) {
      const units = masses.map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 }));
      expect(lowerBoundL2(units)).toBe(44);
      const result = packUnits(units);
      expectValid(units, result.patterns);
      expect(result.provenOptimal).toBe(true);
      expect(result.packageCount).toBe(45);
      expect(result.lowerBound).toBe(45);
      expect(result.packageCount).toBeLessThanOrEqual(count(firstFitDecreasing(units)));
    }
  });

  // Three events of the seeded packing benchmark (random masses, 100 units, seed 1, events 2096,
  // 2846 and 7716) where L2 and the converged LP bound agree and a packing at that bound exists
  // (for 2096 and 7716 an arc-flow MIP outside the repo found one first), but is so rare that the
  // bin-completion search and the local search ran into the 5 s safety cap without finding it.
  it('finds the rare packings at the LP bound of three 100-unit benchmark events, well within the cap', () => {
    for (const { event, packages, masses } of [
      {
        event: 2096,
        packages: 45,
        masses: [
          328, 478, 1018, 765, 1758, 161, 1358, 342, 481, 574, 1714, 1210, 1147, 265, 355, 18, 1000, 641, 1185, 1319,
          188, 179, 923, 1122, 1449, 357, 1301, 687, 476, 382, 1020, 1642, 1134, 1382, 1516, 1303, 538, 1043, 864, 1411,
          1469, 1350, 997, 878, 1388, 483, 243, 544, 385, 1243, 995, 580, 502, 446, 790, 1086, 164, 128, 161, 166, 300,
          1774, 558, 373, 137, 288, 1550, 415, 520, 1251, 1755, 140, 471, 1127, 559, 115, 1138, 686, 1450, 1472, 1042,
          221, 1104, 138, 576, 357, 1577, 744, 82, 465, 914, 798, 923, 617, 959, 170, 1175, 1324, 336, 1772,
        ],
      },
      {
        event: 2846,
        packages: 42,
        masses: [
          327, 1133, 109, 140, 231, 826, 173, 1223, 283, 960, 888, 500, 332, 1729, 1715, 58, 1795, 1073, 1513, 1525,
          1090, 988, 227, 791, 207, 22, 77, 1460, 1347, 801, 67, 1343, 1377, 961, 872, 1220, 827, 74, 1263, 83, 1339,
          785, 431, 658, 794, 763, 140, 1246, 796, 832, 969, 1681, 44, 282, 1590, 135, 349, 1247, 1783, 148, 1249, 458,
          398, 22, 1593, 1133, 379, 252, 366, 1436, 1307, 328, 601, 800, 1047, 117, 1748, 117, 502, 356, 633, 780, 736,
          33, 884, 32, 316, 181, 749, 1504, 1252, 841, 457, 219, 692, 1401, 1022, 405, 262, 1064,
        ],
      },
      {
        event: 7716,
        packages: 41,
        masses: [
          188, 450, 1643, 705, 290, 1596, 194, 149, 1757, 1617, 667, 4, 1515, 669, 1432, 221, 1161, 525, 729, 573, 77,
          679, 931, 484, 763, 339, 276, 1624, 84, 1233, 74, 178, 1046, 1256, 1010, 268, 1034, 401, 616, 556, 425, 247,
          579, 1188, 1790, 1321, 17, 334, 939, 999, 1184, 750, 908, 604, 933, 1005, 1107, 54, 141, 73, 406, 390, 39, 92,
          830, 176, 966, 1328, 493, 1503, 1090, 329, 1502, 146, 656, 103, 1796, 1133, 836, 1546, 1278, 280, 575, 1529,
          392, 1184, 192, 400, 682, 21, 1753, 489, 753, 438, 819, 970, 863, 38, 801, 1202,
        ],
      },
    ]) {
      const units = masses.map((mass_g, product_id) => ({ product_id, mass_g, quantity: 1 }));
      expect(lowerBoundL2(units), `event ${event}`).toBe(packages);
      const result = packUnits(units);
      expectValid(units, result.patterns);
      expect(result.provenOptimal, `event ${event}`).toBe(true);
      expect(result.packageCount, `event ${event}`).toBe(packages);
      expect(result.lowerBound, `event ${event}`).toBe(packages);
    }
  }, 30_000);
});
