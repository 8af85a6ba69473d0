/**
 * `npm start -- --auth`: the local gateway enforces the scopes of functions/routes.ts with
 * development tokens, as the JWT authorizer does in AWS (infra/constructs/access.ts): no or a
 * bad token 401, a token without the route's scope 403, and a refused call never reaches a
 * handler. Public routes stay open. The last test runs `npm start -- --auth` for real.
 */
import type { Server } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_CLIENTS, type ApiClientName } from '../../functions/api-clients.js';
import { ACCESS_SCOPES, routes, type HandlerName } from '../../functions/routes.js';
import { createDevAuth, type DevAuth } from '../../local/dev-auth.js';
import { closeServer, createLocalHttpServer, listenOnLoopback, type HttpApiHandlers } from '../../local/http-server.js';
import { startService } from '../support/npm-start.js';

const key = new Uint8Array(32).fill(7);
let auth: DevAuth;
let server: Server;
let baseUrl: string;
let invoked: Array<{ handler: HandlerName; event: APIGatewayProxyEventV2 }>;

beforeAll(async () => {
  auth = createDevAuth(key);
  const handlers = Object.fromEntries(
    [...new Set(routes.map((r) => r.handler))].map((name) => [
      name,
      async (event: APIGatewayProxyEventV2) => {
        invoked.push({ handler: name, event });
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
      },
    ]),
  ) as unknown as HttpApiHandlers;
  server = createLocalHttpServer({ handlers, auth, log: { request: () => {}, error: () => {} } });
  baseUrl = await listenOnLoopback(server, 0);
});

afterAll(() => closeServer(server));
beforeEach(() => {
  invoked = [];
});

/** A request on the route's path (a sample id for the path parameter), optionally with a token. */
function callRoute(route: (typeof routes)[number], token?: string): Promise<Response> {
  const path = route.path.replace('{order_id}', 'order-1');
  return fetch(`${baseUrl}${path}`, {
    method: route.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(route.method === 'POST' ? { body: '[]' } : {}),
  });
}

async function expectRefused(response: Response, status: 401 | 403): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  const body = (await response.json()) as { status: number; detail: string };
  expect(body.status).toBe(status);
  return body.detail;
}

const scoped = routes.filter((r) => r.scope);
const publicRoutes = routes.filter((r) => !r.scope);

describe('routes that name a scope', () => {
  it.each(scoped.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 401 without a token, never reaching the handler',
    async (_key, route) => {
      expect(await expectRefused(await callRoute(route), 401)).toMatch(/Authorization: Bearer/);
      expect(invoked).toEqual([]);
    },
  );

  it.each(scoped.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: 403 with a token lacking its scope',
    async (_key, route) => {
      const others = ACCESS_SCOPES.filter((s) => s !== route.scope);
      const token = await auth.issueToken('test-client', others);
      expect(await expectRefused(await callRoute(route, token), 403)).toContain(`fulfillment/${route.scope}`);
      expect(invoked).toEqual([]);
    },
  );

  it.each(scoped.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s: served with a token carrying its scope, claims passed on',
    async (_key, route) => {
      const token = await auth.issueToken('test-client', [route.scope!]);
      const response = await callRoute(route, token);
      expect(response.status).toBe(200);
      expect(invoked).toHaveLength(1);
      expect(invoked[0]!.handler).toBe(route.handler);
      const authorizer = (
        invoked[0]!.event.requestContext as {
          authorizer?: { jwt: { claims: Record<string, unknown>; scopes: string[] } };
        }
      ).authorizer;
      expect(authorizer?.jwt.claims.client_id).toBe('test-client');
      expect(authorizer?.jwt.scopes).toEqual([`fulfillment/${route.scope}`]);
    },
  );
});

describe('tokens the gateway refuses', () => {
  const route = scoped.find((r) => r.scope === 'inventory:read')!;

  it('one signed with another key (a token from an earlier run of the server)', async () => {
    const other = await createDevAuth(new Uint8Array(32).fill(9)).issueToken('reader', ['inventory:read']);
    expect(await expectRefused(await callRoute(route, other), 401)).toMatch(/not one this server signed/);
  });

  it('an expired one', async () => {
    const expired = await new SignJWT({ client_id: 'reader', scope: 'fulfillment/inventory:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('fulfillment-local')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(key);
    expect(await expectRefused(await callRoute(route, expired), 401)).toMatch(/expired/);
  });

  it('one with the wrong issuer, and an unsigned one', async () => {
    const foreign = await new SignJWT({ scope: 'fulfillment/inventory:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('someone-else')
      .sign(key);
    await expectRefused(await callRoute(route, foreign), 401);
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ iss: 'fulfillment-local', scope: 'fulfillment/inventory:read' }),
    ).toString('base64url');
    await expectRefused(await callRoute(route, `${header}.${payload}.`), 401);
    expect(invoked).toEqual([]);
  });

  it('a scope without the resource server prefix (Cognito always writes fulfillment/<scope>)', async () => {
    const bare = await new SignJWT({ scope: 'inventory:read' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('fulfillment-local')
      .setExpirationTime('1h')
      .sign(key);
    await expectRefused(await callRoute(route, bare), 403);
  });
});

describe('public routes', () => {
  it.each(publicRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s answers without a token',
    async (_key, route) => {
      expect((await callRoute(route)).status).toBe(200);
      expect(invoked.map((i) => i.handler)).toEqual([route.handler]);
    },
  );
});

describe('npm start -- --auth', () => {
  it("prints a token per app client, and enforces each one's scopes on the real handlers", async () => {
    const service = await startService(['--in-memory', '--auth'], 'Try: TOKEN=');
    try {
      const output = service.output();
      expect(output).toContain('Access control ON');
      const tokenOf = (name: string) => new RegExp(`^  ${name}\\s+(\\S+)`, 'm').exec(output)?.[1];
      const tokens = Object.fromEntries(Object.keys(API_CLIENTS).map((name) => [name, tokenOf(name)])) as Record<
        ApiClientName,
        string
      >;
      expect(Object.values(tokens).every(Boolean)).toBe(true);
      const send = (method: string, path: string, token: string | undefined, body?: unknown) =>
        fetch(`${service.url}${path}`, {
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });

      expect((await send('GET', '/health', undefined)).status).toBe(200);
      expect((await send('GET', '/inventory/products', undefined)).status).toBe(401);
      expect((await send('GET', '/inventory/products', tokens.reader)).status).toBe(200);
      const catalog = [{ product_name: 'RBC A+ Adult', mass_g: 700 }];
      expect((await send('POST', '/inventory/init_catalog', tokens.reader, catalog)).status).toBe(403);
      expect((await send('POST', '/inventory/init_catalog', tokens.ordering, catalog)).status).toBe(403);
      // A refused write changed nothing.
      expect(await (await send('GET', '/inventory/products', tokens.reader)).json()).toEqual({
        products: [],
        next_cursor: null,
      });
      expect((await send('POST', '/inventory/init_catalog', tokens['catalog-admin'], catalog)).status).toBe(201);
      expect(
        (await send('POST', '/inventory/process_restock', tokens.ordering, [{ product_id: 0, quantity: 1 }])).status,
      ).toBe(403);
      expect(
        (await send('POST', '/inventory/process_restock', tokens.warehouse, [{ product_id: 0, quantity: 1 }])).status,
      ).toBe(200);

      expect(await service.interrupt()).toBe(0);
    } finally {
      service.kill();
    }
  }, 120_000);
});
