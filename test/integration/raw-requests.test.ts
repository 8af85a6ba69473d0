/**
 * Bytes and paths exactly as a client puts them on the wire, through the real local HTTP server
 * (the API Gateway stand-in) to the real handlers on DynamoDB Local:
 * - a body that is not valid UTF-8 is refused with 400 and changes nothing (SPEC "Errors"),
 *   instead of reaching the handler with its bad bytes silently replaced by U+FFFD;
 * - a path is percent-decoded exactly once (SPEC "order_id"): `a%3Ab.x` names the order
 *   `a:b.x`, `a%253Ab.x` names the id `a%3Ab.x`, which cannot exist (404).
 */
import type { Server } from 'node:http';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRouteHandlers } from '../../local/handler-loader.js';
import { closeServer, createLocalHttpServer, listenOnLoopback } from '../../local/http-server.js';
import { scanAllItems } from '../../local/table-copy.js';
import { createTestTable, testDynamoDBClient } from '../support/dynamodb.js';

let table: string;
let client: DynamoDBClient;
let server: Server;
let baseUrl: string;
const serverErrors: string[] = [];

beforeAll(async () => {
  table = await createTestTable('raw');
  client = testDynamoDBClient();
  server = createLocalHttpServer({
    handlers: await loadRouteHandlers(),
    log: { request: () => {}, error: (message) => serverErrors.push(message) },
  });
  baseUrl = await listenOnLoopback(server, 0);
});

afterAll(async () => {
  await closeServer(server);
  client?.destroy();
  expect(serverErrors).toEqual([]);
});

const items = async (): Promise<Array<Record<string, AttributeValue>>> =>
  (await scanAllItems(client, table)).sort((a, b) => `${a.pk?.S}/${a.sk?.S}`.localeCompare(`${b.pk?.S}/${b.sk?.S}`));

function postBytes(path: string, body: Uint8Array, contentType?: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: contentType ? { 'content-type': contentType } : {},
    body,
  });
}

const catalogWithName = (nameBytes: Uint8Array) =>
  Buffer.concat([Buffer.from('[{"product_name":"RBC '), nameBytes, Buffer.from(' A+","mass_g":700}]')]);

describe('a body that is not valid UTF-8', () => {
  it('valid UTF-8 (even a U+FFFD the client really sent) keeps every character', async () => {
    const name = 'RBC Ünïcødé 🚚 \uFFFD A+';
    const response = await postBytes(
      '/inventory/init_catalog',
      catalogWithName(Buffer.from('Ünïcødé 🚚 \uFFFD')),
      'application/json',
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as { products: Array<{ product_name: string }> };
    expect(body.products.map((p) => p.product_name)).toEqual([name]);
  });

  it.each([
    ['a lead byte without its continuation (0xC3 0x28)', [0xc3, 0x28]],
    ['a byte that never occurs in UTF-8 (0xFF)', [0xff]],
    ['an overlong encoding of "/" (0xC0 0xAF)', [0xc0, 0xaf]],
    ['an encoded surrogate (0xED 0xA0 0x80)', [0xed, 0xa0, 0x80]],
    ['a sequence cut short at the end of a name (0xF0 0x9F 0x9A)', [0xf0, 0x9f, 0x9a]],
  ])('is refused with 400 problem+json and writes nothing: %s', async (_name, bytes) => {
    const before = await items();
    for (const contentType of ['application/json', 'application/json; charset=utf-8', undefined]) {
      const response = await postBytes('/inventory/init_catalog', catalogWithName(Uint8Array.from(bytes)), contentType);
      expect(response.status, String(contentType)).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({
        status: 400,
        detail: 'The request body is not valid UTF-8 text.',
        errors: [{ path: '', message: 'is not valid UTF-8' }],
      });
    }
    expect(await items()).toEqual(before);
  });
});

describe('a path is percent-decoded exactly once', () => {
  it('a%3Ab.x names the order a:b.x; a%253Ab.x names the id a%3Ab.x, which cannot exist', async () => {
    const catalog = await postBytes(
      '/inventory/init_catalog',
      Buffer.from('[{"product_name":"FFP A+","mass_g":300}]'),
      'application/json',
    );
    const [product] = ((await catalog.json()) as { products: Array<{ product_id: number }> }).products;
    const order = await postBytes(
      '/inventory/process_order',
      Buffer.from(JSON.stringify({ order_id: 'a:b.x', requested: [{ product_id: product!.product_id, quantity: 1 }] })),
      'application/json',
    );
    expect(order.status).toBe(201);

    for (const path of ['a%3Ab.x', 'a%3ab.x', 'a:b.x', '%61%3A%62%2E%78']) {
      const found = await fetch(`${baseUrl}/inventory/orders/${path}`);
      expect(found.status, path).toBe(200);
      expect(((await found.json()) as { order_id: string }).order_id).toBe('a:b.x');
    }
    for (const path of ['a%253Ab.x', 'a%253ab.x', '%2561%253A%2562.x']) {
      const missing = await fetch(`${baseUrl}/inventory/orders/${path}`);
      expect(missing.status, path).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/problem+json');
      expect(((await missing.json()) as { detail: string }).detail).toContain('%3');
    }
  });

  it('the same for integer ids: %31%32 names order 12, %2531%2532 nothing', async () => {
    const catalog = await postBytes(
      '/inventory/init_catalog',
      Buffer.from('[{"product_name":"PLT A+","mass_g":250}]'),
      'application/json',
    );
    const [product] = ((await catalog.json()) as { products: Array<{ product_id: number }> }).products;
    const order = await postBytes(
      '/inventory/process_order',
      Buffer.from(JSON.stringify({ order_id: 12, requested: [{ product_id: product!.product_id, quantity: 1 }] })),
      'application/json',
    );
    expect(order.status).toBe(201);

    const found = await fetch(`${baseUrl}/inventory/orders/%31%32`);
    expect(found.status).toBe(200);
    expect(((await found.json()) as { order_id: number }).order_id).toBe(12);
    expect((await fetch(`${baseUrl}/inventory/orders/%2531%2532`)).status).toBe(404);
  });
});
