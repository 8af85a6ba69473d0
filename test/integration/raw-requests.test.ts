/**
 * Bytes exactly as a client puts them on the wire, through the real local HTTP server (the API
 * Gateway stand-in) to the real handlers on DynamoDB Local:
 * - a body that is not valid UTF-8 is refused with 400 and changes nothing (SPEC "Errors"),
 *   instead of reaching the handler with its bad bytes silently replaced by U+FFFD.
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
