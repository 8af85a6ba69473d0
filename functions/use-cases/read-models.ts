/** The read routes: one order, the catalog page by page. */
import { InvalidValueError, NotFoundError } from '../domain/errors.js';
import { type OrderView, type ProductView, toProductView } from '../domain/model.js';
import { type OrderId, orderIdKey } from '../domain/order-id.js';
import { toOrderView } from '../domain/order-record.js';
import { listProducts } from '../store/catalog-store.js';
import { readOrder } from '../store/order-store.js';

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
  const page = await listProducts(limit, cursor === undefined ? undefined : productIdOfCursor(cursor));
  return {
    products: page.products.map(toProductView),
    next_cursor: page.lastId === undefined ? null : cursorOf(page.lastId),
  };
}

const CURSOR_PREFIX = 'p1.';
const cursorOf = (lastId: number) => CURSOR_PREFIX + Buffer.from(String(lastId)).toString('base64url');

function productIdOfCursor(cursor: string): number {
  const text = cursor.startsWith(CURSOR_PREFIX)
    ? Buffer.from(cursor.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8')
    : '';
  const id = /^(0|[1-9][0-9]{0,15})$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(id)) {
    throw new InvalidValueError('the cursor is not one this service gave', [
      { path: 'cursor', message: 'is not a cursor of this list' },
    ]);
  }
  return id;
}
