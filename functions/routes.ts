/**
 * The HTTP API of SPEC.md, one row per route. The local server and the CDK stack both read
 * this table, so a route exists in both places or in neither.
 * `handler` names the file in functions/handlers/ (without .ts) that serves the route.
 */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handler: HandlerName;
}

export type HandlerName =
  | 'init-catalog'
  | 'process-restock'
  | 'process-order'
  | 'get-order'
  | 'list-products'
  | 'health';

export const routes: readonly Route[] = [
  { method: 'POST', path: '/inventory/init_catalog', handler: 'init-catalog' },
  { method: 'POST', path: '/inventory/process_restock', handler: 'process-restock' },
  { method: 'POST', path: '/inventory/process_order', handler: 'process-order' },
  { method: 'GET', path: '/inventory/orders/{order_id}', handler: 'get-order' },
  { method: 'GET', path: '/inventory/products', handler: 'list-products' },
  { method: 'GET', path: '/health', handler: 'health' },
];

/** Handlers that are not behind a route: the scheduled sweeper (SPEC rule 8). */
export const backgroundHandlers = ['sweeper'] as const;
