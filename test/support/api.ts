/**
 * Calls the real Lambda handlers in-process with the API Gateway v2 events the local server
 * (and API Gateway) would build, and the EventBridge / scheduled events of AWS. Call
 * `createTestTable()` before the first call: handlers read TABLE_NAME when they first run.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toHttpApiEvent } from '../../local/api-gateway-event.js';
import { loadBackgroundHandler, loadRouteHandlers } from '../../local/handler-loader.js';
import { createLambdaContext } from '../../local/lambda-context.js';
import { createRouteMatcher } from '../../local/route-matcher.js';
import { scheduledEvent } from '../../local/sweeper-loop.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

const match = createRouteMatcher();
let handlers: Awaited<ReturnType<typeof loadRouteHandlers>> | undefined;

export async function call<T = any>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<T>> {
  handlers ??= await loadRouteHandlers();
  const route = match(method, path.split('?', 1)[0]!);
  if (route.kind !== 'found') throw new Error(`no route for ${method} ${path}`);
  const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const hasBody = body !== undefined;
  const event = toHttpApiEvent(
    {
      method,
      url: path,
      rawHeaders: Object.entries({ ...(hasBody ? { 'content-type': 'application/json' } : {}), ...headers }).flat(),
      httpVersion: '1.1',
      sourceIp: '127.0.0.1',
      body: Buffer.from(raw),
    },
    route,
  );
  const result = (await handlers[route.route.handler](
    event,
    createLambdaContext(route.route.handler),
  )) as APIGatewayProxyStructuredResultV2;
  const text = result.body ?? '';
  const answered = (result.headers ?? {}) as Record<string, string>;
  // JSON answers parsed; a page (the console, the docs) as its text.
  const json = /json/.test(answered['content-type'] ?? 'application/json');
  return {
    status: result.statusCode ?? 200,
    headers: answered,
    body: text ? (json ? JSON.parse(text) : text) : undefined,
  };
}

export const post = <T = any>(path: string, body: unknown, headers?: Record<string, string>) =>
  call<T>('POST', path, body, headers);
export const get = <T = any>(path: string) => call<T>('GET', path);

/** A Restock event as EventBridge delivers it to the restock function. */
export async function sendRestockEvent(restock: unknown, id: string = randomUUID(), source = 'fulfillment.restock') {
  const { handler } = await import('../../functions/handlers/process-restock.js');
  return handler(
    {
      version: '0',
      id,
      'detail-type': 'Restock',
      source,
      account: '000000000000',
      time: new Date().toISOString(),
      region: 'us-east-1',
      resources: [],
      detail: { restock: restock },
    },
    createLambdaContext('process-restock'),
  );
}

export async function runSweeper() {
  const sweeper = await loadBackgroundHandler('sweeper');
  return sweeper(scheduledEvent(), createLambdaContext('sweeper'));
}

/** Fresh product ids per test, so tests sharing a table never share products. */
let nextProductId = 1_000;
export function productIds(count: number): number[] {
  const start = nextProductId;
  nextProductId += count;
  return Array.from({ length: count }, (_, i) => start + i);
}

export const uniqueOrderId = (prefix = 'o') => `${prefix}-${randomUUID().slice(0, 12)}`;

/** Creates products of these masses with fresh ids (named `P<id>`) and returns the ids. */
export async function catalog(masses: number[]): Promise<number[]> {
  const ids = productIds(masses.length);
  const res = await post(
    '/inventory/init_catalog',
    ids.map((product_id, i) => ({ product_id, product_name: `P${product_id}`, mass_g: masses[i] })),
  );
  if (res.status !== 201) throw new Error(`init_catalog answered ${res.status}: ${JSON.stringify(res.body)}`);
  return ids;
}

/** The catalog's ProductViews by product id, every page of it. */
export async function productsById(): Promise<Map<number | undefined, any>> {
  const out = new Map<number | undefined, any>();
  let cursor: string | null = null;
  do {
    const res: ApiResponse = await get(`/inventory/products${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (res.status !== 200)
      throw new Error(`GET /inventory/products answered ${res.status}: ${JSON.stringify(res.body)}`);
    for (const p of res.body.products) out.set(p.product_id, p);
    cursor = res.body.next_cursor;
  } while (cursor);
  return out;
}
