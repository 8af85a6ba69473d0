/**
 * GET /inventory/orders (SPEC v2 "Order lists"): who waits, in the order restocks serve them, and
 * the orders fulfilled, cancelled or all of them, newest first. Indexes, never a Scan (see
 * store/order-lists-store.ts for which list reads what).
 *
 * A waiting order is shown as it is now: its summary is read from its partition (strongly
 * consistent, as GET of one order), and an order that stopped waiting since the index listed it
 * is left out. A settled order's summary is final and comes with the list. Settled orders are
 * filed by the stream's follower a moment after they settle (within the stream poll under
 * `npm start`, usually under a second in AWS); until then they are in the list of all orders,
 * read whole, but not yet in the fulfilled or cancelled list.
 */
import { NotFoundError } from '../domain/errors.js';
import { textCursor } from '../domain/list-cursor.js';
import { toOrderView } from '../domain/order-record.js';
import { type OrderSummary, toOrderSummary } from '../domain/order-summary.js';
import type { OrderListQuery } from '../domain/requests.js';
import { getProducts } from '../store/catalog-store.js';
import { filedOrders, type ListedOrder, waitingOrders } from '../store/order-lists-store.js';
import { readOrders } from '../store/order-store.js';

export interface OrderListView {
  orders: OrderSummary[];
  /** Opaque; null on the last page. */
  next_cursor: string | null;
}

/** An order key as the lists hold it: the order id as text (domain/order-id.ts). */
const ORDER_KEY = '[A-Za-z0-9_.:-]{1,128}';
/** Waiting lists go on after a queue key (priority rank, creation time, order key). */
const WAITING_CURSOR = textCursor('w1.', new RegExp(`^[0-2]#[0-9]{15}#${ORDER_KEY}$`));
/** Newest-first lists go on before a creation key (creation time, order key). */
const FILED_CURSOR = textCursor('o1.', new RegExp(`^[0-9]{15}#${ORDER_KEY}$`));

const WAITING_STATUSES = new Set<OrderSummary['status']>(['backordered', 'partially_shipped']);

export async function listOrders(q: OrderListQuery): Promise<OrderListView> {
  if (q.productId !== undefined && !(await getProducts([q.productId])).has(q.productId)) {
    throw new NotFoundError(`no product ${q.productId}`);
  }
  const filters = {
    ...(q.productId === undefined ? {} : { productId: q.productId }),
    ...(q.priority === undefined ? {} : { priority: q.priority }),
  };
  if (q.status === 'waiting') {
    const page = await waitingOrders({
      ...filters,
      limit: q.limit,
      ...(q.cursor === undefined ? {} : { after: WAITING_CURSOR.decode(q.cursor) }),
    });
    const orders = (await summaries(page.orders)).filter((o) => WAITING_STATUSES.has(o.status));
    return { orders, next_cursor: page.next === undefined ? null : WAITING_CURSOR.encode(page.next) };
  }
  const page = await filedOrders({
    ...filters,
    ...(q.status === undefined ? {} : { list: q.status }),
    limit: q.limit,
    ...(q.cursor === undefined ? {} : { before: FILED_CURSOR.decode(q.cursor) }),
  });
  return {
    orders: await summaries(page.orders),
    next_cursor: page.next === undefined ? null : FILED_CURSOR.encode(page.next),
  };
}

/** The listed orders' summaries in list order: settled ones as filed, open ones read now. */
async function summaries(listed: ListedOrder[]): Promise<OrderSummary[]> {
  const read = await readOrders(listed.filter((o) => !o.summary).map((o) => o.orderKey));
  return listed.flatMap((o) => {
    if (o.summary) return [o.summary];
    const stored = read.get(o.orderKey);
    return stored ? [toOrderSummary(toOrderView(stored.order, stored.events))] : [];
  });
}
