/**
 * The HTTP API of SPEC.md, one row per route. The local server and the CDK stack both read
 * this table, so a route exists in both places or in neither.
 * `handler` names the file in functions/handlers/ (without .ts) that serves the route.
 */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handler: HandlerName;
  /**
   * The OAuth scope a caller's access token must carry (SPEC has no roles; these follow the
   * operator's jobs: whoever loads the catalog need not be able to place orders). In AWS the HTTP
   * API's JWT authorizer enforces it; under `npm start -- --auth` the local gateway does.
   * Absent: a public route (health, API documentation).
   */
  scope?: AccessScope;
}

/** Resource-server scopes; in Cognito each is prefixed with the resource server's identifier. */
export const ACCESS_SCOPES = [
  'catalog:write',
  'restock:write',
  'stock:adjust',
  'orders:write',
  'inventory:read',
] as const;
export type AccessScope = (typeof ACCESS_SCOPES)[number];

export type HandlerName =
  | 'init-catalog'
  | 'process-restock'
  | 'process-order'
  | 'get-order'
  | 'cancel-order'
  | 'list-products'
  | 'list-movements'
  | 'list-orders'
  | 'write-offs'
  | 'recall-lot'
  | 'get-lot'
  | 'health'
  | 'api-docs'
  | 'console';

export const routes: readonly Route[] = [
  { method: 'POST', path: '/inventory/init_catalog', handler: 'init-catalog', scope: 'catalog:write' },
  { method: 'POST', path: '/inventory/process_restock', handler: 'process-restock', scope: 'restock:write' },
  { method: 'POST', path: '/inventory/process_order', handler: 'process-order', scope: 'orders:write' },
  { method: 'POST', path: '/inventory/write_offs', handler: 'write-offs', scope: 'stock:adjust' },
  { method: 'POST', path: '/inventory/recalls', handler: 'recall-lot', scope: 'stock:adjust' },
  { method: 'GET', path: '/inventory/orders', handler: 'list-orders', scope: 'inventory:read' },
  { method: 'GET', path: '/inventory/orders/{order_id}', handler: 'get-order', scope: 'inventory:read' },
  { method: 'POST', path: '/inventory/orders/{order_id}/cancel', handler: 'cancel-order', scope: 'orders:write' },
  { method: 'GET', path: '/inventory/products', handler: 'list-products', scope: 'inventory:read' },
  {
    method: 'GET',
    path: '/inventory/products/{product_id}/movements',
    handler: 'list-movements',
    scope: 'inventory:read',
  },
  { method: 'GET', path: '/inventory/products/{product_id}/lots/{lot}', handler: 'get-lot', scope: 'inventory:read' },
  { method: 'GET', path: '/health', handler: 'health' },
  { method: 'GET', path: '/openapi.json', handler: 'api-docs' },
  { method: 'GET', path: '/docs', handler: 'api-docs' },
  // The page holds no data: operators sign in on it, and its calls carry their token.
  { method: 'GET', path: '/console', handler: 'console' },
];

/**
 * The methods a route answers: SPEC v2, every GET route also answers HEAD (the same status and
 * headers, no body), with the same handler and scope.
 */
export function methodsOf(route: Pick<Route, 'method'>): Array<'GET' | 'HEAD' | 'POST'> {
  return route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
}

/**
 * Handlers that are not behind a route: the scheduled sweeper (SPEC rule 8), and the outbound
 * events' publisher fed by the table's stream (SPEC v2 "Outbound events").
 */
export const backgroundHandlers = ['sweeper', 'publish-events', 'sequence-ledger'] as const;
