/** The read routes: one order, the catalog page by page. */
import { NotFoundError } from '../domain/errors.js';
import { numberCursor } from '../domain/list-cursor.js';
import { type OrderView, type ProductView, toProductView } from '../domain/model.js';
import { type OrderId, orderIdKey } from '../domain/order-id.js';
import { toOrderView } from '../domain/order-record.js';
import { listProducts } from '../store/catalog-store.js';
import { readOrder } from '../store/order-store.js';

/** The cursor of this list: the last product id of the page. */
const CURSOR = numberCursor('p1.');

export async function getOrderView(orderId: OrderId): Promise<OrderView> {
  const stored = await readOrder(orderIdKey(orderId));
  if (!stored) throw new NotFoundError(`no order ${JSON.stringify(orderId)}`);
  return toOrderView(stored.order, stored.events);
}

export interface CatalogPageView {
  products: ProductView[];
  /** Opaque; null on the last page. */
  next_cursor: string | null;
}

/** One page of the catalog in id order; the cursor names the last product id seen. */
export async function catalogPage(limit: number, cursor?: string): Promise<CatalogPageView> {
  const page = await listProducts(limit, cursor === undefined ? undefined : CURSOR.decode(cursor));
  return {
    products: page.products.map((p) => toProductView(p)),
    next_cursor: page.lastId === undefined ? null : CURSOR.encode(page.lastId),
  };
}
