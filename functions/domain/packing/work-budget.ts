/**
 * The work budget every optional part (searches, local search, LP, dive) draws on, and what a
 * unit of it is worth.
 *
 * Counted in abstract work units rather than read from a clock, so the same input always stops
 * at the same point and gives the same answer. A unit is about 2 ns on Node 20 x86-64 whatever
 * part spends it (measured over a few hundred random instances: 1.5 ns for the search, 2.3 for the
 * local search and the LP, whose unit, a knapsack cell, sets the scale); each part sets its own
 * costs to that scale. Measured again on the hard families (2026-12-01): the LP 2.6 ns, the search
 * 2.7 ns with no room to spare and up to 4.5 ns with room (Scholl set 1), the local search 0.6 ns
 * since its refill stopped naming a closure per call. Its costs stay as they were: with a third
 * of them charged, 1,000-unit random and classic events ended exactly as before (2,000 events
 * each), and up to 100 units its passes, not its work, are scheduled. A large step (a table, an
 * unpacking) is paid for before it is done, so a
 * spent budget never buys one more.
 */

export interface WorkBudget {
  /** Records `units` of work; false once the allowance is exceeded (and from then on). */
  spend(units: number): boolean;
}

/** One step of a loop over groups or pattern counts. */
export const SCAN_WORK = 3;
