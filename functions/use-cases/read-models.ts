/** The read routes: one order, the catalog. */
import { NotFoundError } from '../domain/errors.js';
import { toProductView, type OrderView, type ProductView } from '../domain/model.js';
import { orderIdKey, type OrderId } from '../domain/order-id.js';
import { toOrderView } from '../domain/order-record.js';
import { listProducts } from '../store/catalog-store.js';
import { getOrderWithShipments } from '../store/order-store.js';

export async function getOrderView(orderId: OrderId): Promise<OrderView> {
  const stored = await getOrderWithShipments(orderIdKey(orderId));
  if (!stored) throw new NotFoundError(`no order ${JSON.stringify(orderId)}`);
  return toOrderView(stored.order, stored.events);
}

export async function catalogView(): Promise<ProductView[]> {
  return (await listProducts()).map(toProductView);
}
