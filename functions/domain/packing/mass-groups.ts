/**
 * Units reduced to what packing depends on, the vocabulary of every module in this folder.
 *
 * Every module in this folder works on mass groups, not units, so its cost follows the number of
 * distinct masses, never the number of units (a million units of one product are one group).
 */

/** The most one package may weigh (SPEC rule 1). */
export const PACKAGE_LIMIT_G = 1800;

/**
 * `masses` strictly descending, `counts[i]` units of `masses[i]` (possibly 0 in intermediate
 * steps). Which product a unit belongs to does not matter until the end, so it is left out.
 */
export interface MassGroups {
  readonly masses: readonly number[];
  readonly counts: readonly number[];
}

export function totalMass(masses: readonly number[], counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < masses.length; i++) total += masses[i]! * counts[i]!;
  return total;
}

/** "No room to spare": less than 1/TIGHT_ROOM_PARTS of the lightest unit in all packages together. */
const TIGHT_ROOM_PARTS = 8;

/**
 * The packages together have `room` to spare beyond the units left, whose lightest weighs
 * `lightest`: with (almost) none, every package must be (nearly) exactly full, as in Falkenauer's
 * triplets, and each unit has few ways to fill its package.
 */
export function hasNoRoomToSpare(room: number, lightest: number): boolean {
  return room * TIGHT_ROOM_PARTS < lightest;
}
