/**
 * Priorities and the emergency reserve (SPEC rules 4 and 8), pure.
 *
 * Waiting orders are served by priority, then oldest first. A new order never receives a unit
 * of a product while an order of the same or a higher priority waits for it; urgent and routine
 * orders never take the product's `emergency_reserve`, emergency orders may take every unit.
 */
export const PRIORITIES = ['emergency', 'urgent', 'routine'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const DEFAULT_PRIORITY: Priority = 'routine';

/** 0 emergency, 1 urgent, 2 routine: the first part of every queue key. */
export const priorityRank = (priority: Priority): number => PRIORITIES.indexOf(priority);
export const priorityOfRank = (rank: number): Priority => PRIORITIES[rank] ?? DEFAULT_PRIORITY;

/** A product's stock as priorities see it: units on hand, its reserve, and units waiting by priority. */
export interface PriorityStock {
  on_hand: number;
  emergency_reserve: number;
  /** Units all waiting orders still need. */
  backordered: number;
  /** Of those, units waiting emergency orders need. */
  backordered_emergency: number;
  /** Of those, units waiting urgent orders need. */
  backordered_urgent: number;
  /**
   * Units on hand a plan may not take: lots expired (or expiring before its horizon) or recalled,
   * until the sweeper writes them off. They never count toward the reserve. Absent: none.
   */
  unusable?: number;
}

/** Units on hand that may be shipped. */
export const usableOnHand = (stock: Pick<PriorityStock, 'on_hand' | 'unusable'>): number =>
  stock.on_hand - (stock.unusable ?? 0);

/** Units waiting for orders of `priority` or a higher one. */
export function waitingAtOrAbove(stock: PriorityStock, priority: Priority): number {
  switch (priority) {
    case 'emergency':
      return stock.backordered_emergency;
    case 'urgent':
      return stock.backordered_emergency + stock.backordered_urgent;
    case 'routine':
      return stock.backordered;
  }
}

/** Units an order of `priority` must leave on hand: the reserve is for emergencies alone. */
export const reserveFloor = (priority: Priority, reserve: number): number => (priority === 'emergency' ? 0 : reserve);

/** Units on hand an order of `priority` may take now (rule 4). Hints may run below zero: never negative. */
export function availableTo(stock: PriorityStock, priority: Priority): number {
  if (waitingAtOrAbove(stock, priority) > 0) return 0;
  return Math.max(0, usableOnHand(stock) - reserveFloor(priority, stock.emergency_reserve));
}

/**
 * A drain has work: the first order in serve order can take a unit (an emergency order waits and
 * a unit is on hand, or any order waits and units are on hand above the reserve). Once no request
 * is in flight this is false for every product (rule 8).
 */
export function hasDrainWork(stock: PriorityStock): boolean {
  const usable = usableOnHand(stock);
  if (usable <= 0) return false;
  return stock.backordered_emergency > 0 || (stock.backordered > 0 && usable > stock.emergency_reserve);
}
