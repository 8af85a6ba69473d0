/**
 * The systems that call the API and the scopes each one's job needs. In AWS each is a Cognito
 * app client (infra/constructs/access.ts); under `npm start -- --auth` each gets a development
 * token. Reading stays open to every client: a system that ships or restocks needs to see the
 * stock it acts on.
 */
import type { AccessScope } from './routes.js';

export const API_CLIENTS = {
  'catalog-admin': {
    scopes: ['catalog:write', 'inventory:read'],
    description: 'loads and corrects the product catalog',
  },
  warehouse: {
    scopes: ['restock:write', 'stock:adjust', 'inventory:read'],
    description: 'reports restocks and writes off damaged, expired or lost units',
  },
  ordering: { scopes: ['orders:write', 'inventory:read'], description: 'places orders and follows them' },
  reader: { scopes: ['inventory:read'], description: 'dashboards and reports: reads only' },
} as const satisfies Record<string, { scopes: readonly AccessScope[]; description: string }>;

export type ApiClientName = keyof typeof API_CLIENTS;

/** Prefix of every scope in an access token, as Cognito writes it: `fulfillment/orders:write`. */
export const RESOURCE_SERVER_ID = 'fulfillment';

export function qualifiedScope(scope: AccessScope): string {
  return `${RESOURCE_SERVER_ID}/${scope}`;
}
