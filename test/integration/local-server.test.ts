/**
 * The local API Gateway stand-in, with fake handlers injected: it must hand each handler the
 * HTTP API v2.0 event AWS would, route like the deployed API, and answer by itself (as
 * problem+json) what never reaches a handler. The last test runs `npm start` for real.
 */
import { existsSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backgroundHandlers, routes, type HandlerName } from '../../functions/routes.js';
import {
  closeServer,
  createLocalHttpServer,
  listenOnLoopback,
  MAX_REQUEST_BODY_BYTES,
  type HttpApiHandlers,
  type LocalServerLog,
} from '../../local/http-server.js';
import { startService } from '../support/npm-start.js';

interface Invocation {
  handler: HandlerName;
  event: APIGatewayProxyEventV2;
  context: Context;
  remainingMs: number;
}

const HANDLER_TIMEOUT_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: Server;
let baseUrl: string;
let invocations: Invocation[];
let respond: (name: HandlerName, event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;
const loggedErrors: string[] = [];

const echo = async (name: HandlerName): Promise<APIGatewayProxyResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ handler: name }),
});

beforeAll(async () => {
  const names = [...new Set(routes.map((route) => route.handler))];
  const handlers = Object.fromEntries(
    names.map((name) => [
      name,
      async (event: APIGatewayProxyEventV2, context: Context) => {
        invocations.push({ handler: name, event, context, remainingMs: context.getRemainingTimeInMillis() });
        return respond(name, event);
      },
    ]),
  ) as HttpApiHandlers;
  const log: LocalServerLog = { request: () => {}, error: (message) => loggedErrors.push(message) };
  server = createLocalHttpServer({ handlers, handlerTimeoutMs: HANDLER_TIMEOUT_MS, log });
  baseUrl = await listenOnLoopback(server, 0);
});

afterAll(() => closeServer(server));

beforeEach(() => {
  invocations = [];
  loggedErrors.length = 0;
  respond = echo;
});

function onlyInvocation(): Invocation {
  expect(invocations).toHaveLength(1);
  return invocations[0]!;
}

async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  // The server's own answers carry the handlers' security headers too.
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toEqual({
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
  return body;
}

describe('API Gateway v2 event', () => {
  it('carries route key, raw path and query, lowercased headers, cookies and body', async () => {
    respond = async () => ({
      statusCode: 201,
      headers: { 'content-type': 'application/json', 'x-extra': 'yes' },
      body: '{"ok":true}',
    });
    const body = JSON.stringify({ requested: [{ product_id: 0, quantity: 2 }] });

    const response = await fetch(`${baseUrl}/inventory/process_order?dry=1&tag=a&tag=b%20c`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Request-Source': 'Test',
        'Idempotency-Key': 'k-1',
        cookie: 'a=1; b=2',
      },
      body,
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(await response.json()).toEqual({ ok: true });

    const { handler, event } = onlyInvocation();
    expect(handler).toBe('process-order');
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /inventory/process_order',
      rawPath: '/inventory/process_order',
      rawQueryString: 'dry=1&tag=a&tag=b%20c',
      queryStringParameters: { dry: '1', tag: 'a,b c' },
      cookies: ['a=1', 'b=2'],
      body,
      isBase64Encoded: false,
    });
    expect(event.pathParameters).toBeUndefined();
    expect(event.headers).toMatchObject({
      'content-type': 'application/json',
      'x-request-source': 'Test',
      'idempotency-key': 'k-1',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(Object.keys(event.headers).filter((name) => name !== name.toLowerCase())).toEqual([]);
    expect(event.headers.cookie).toBeUndefined();

    const { requestContext } = event;
    expect(requestContext).toMatchObject({
      accountId: expect.any(String),
      apiId: expect.any(String),
      domainName: new URL(baseUrl).host,
      http: {
        method: 'POST',
        path: '/inventory/process_order',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: expect.any(String),
      },
      routeKey: 'POST /inventory/process_order',
      stage: '$default',
    });
    expect(requestContext.requestId).toMatch(UUID);
    expect(Math.abs(requestContext.timeEpoch - Date.now())).toBeLessThan(10_000);
    expect(requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('passes path parameters, percent-decoded, and no body on a GET', async () => {
    await fetch(`${baseUrl}/inventory/orders/demo%3A42`);

    const { handler, event } = onlyInvocation();
    expect(handler).toBe('get-order');
    expect(event.routeKey).toBe('GET /inventory/orders/{order_id}');
    expect(event.rawPath).toBe('/inventory/orders/demo%3A42');
    expect(event.pathParameters).toEqual({ order_id: 'demo:42' });
    expect(event.body).toBeUndefined();
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.rawQueryString).toBe('');
  });

  it('decodes path parameters exactly once (SPEC), leaving rawPath as sent', async () => {
    await fetch(`${baseUrl}/inventory/orders/a%253Ab.x`);

    const { event } = onlyInvocation();
    expect(event.rawPath).toBe('/inventory/orders/a%253Ab.x');
    expect(event.pathParameters).toEqual({ order_id: 'a%3Ab.x' });
  });

  it('passes a text body that is not valid UTF-8 base64-encoded, byte for byte, never as U+FFFD', async () => {
    const bytes = Buffer.concat([Buffer.from('[{"product_name":"RBC '), Buffer.from([0xc3, 0x28]), Buffer.from('"}]')]);
    await fetch(`${baseUrl}/inventory/init_catalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });

    const { event } = onlyInvocation();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').equals(bytes)).toBe(true);
  });

  it('passes valid UTF-8 of a text type as a string, and other types (or none) base64-encoded, as AWS does', async () => {
    const text = '[{"product_name":"Plasma ünï 🚚 \uFFFD"}]';
    const cases: Array<[string | undefined, boolean]> = [
      ['application/json', false],
      ['application/json; charset=utf-8', false],
      ['text/plain', false],
      ['application/problem+json', true],
      ['application/octet-stream', true],
      [undefined, true],
    ];
    for (const [type, base64] of cases) {
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest(
          `${baseUrl}/inventory/init_catalog`,
          { method: 'POST', headers: type ? { 'content-type': type } : {} },
          (response) => {
            response.resume();
            response.once('end', resolve);
          },
        );
        request.on('error', reject);
        request.end(Buffer.from(text, 'utf8'));
      });
      const event = invocations.pop()!.event;
      expect(event.isBase64Encoded, String(type)).toBe(base64);
      expect(base64 ? Buffer.from(event.body!, 'base64').toString('utf8') : event.body, String(type)).toBe(text);
    }
  });

  it('gives each handler a Lambda context with a request id and a deadline', async () => {
    await fetch(`${baseUrl}/health`);
    await fetch(`${baseUrl}/health`);

    const [first, second] = invocations;
    expect(first?.context.awsRequestId).toMatch(UUID);
    expect(first?.context.awsRequestId).not.toBe(second?.context.awsRequestId);
    expect(first?.context.functionName).toContain('health');
    expect(first?.remainingMs).toBeGreaterThan(HANDLER_TIMEOUT_MS - 2_000);
    expect(first?.remainingMs).toBeLessThanOrEqual(HANDLER_TIMEOUT_MS);
  });
});

describe('routing', () => {
  it('accepts a trailing slash', async () => {
    const list = await fetch(`${baseUrl}/inventory/products/`);
    const init = await fetch(`${baseUrl}/inventory/init_catalog/`, { method: 'POST', body: '[]' });

    expect(await list.json()).toEqual({ handler: 'list-products' });
    expect(await init.json()).toEqual({ handler: 'init-catalog' });
    expect(invocations.map((i) => [i.event.routeKey, i.event.rawPath])).toEqual([
      ['GET /inventory/products', '/inventory/products/'],
      ['POST /inventory/init_catalog', '/inventory/init_catalog/'],
    ]);
  });

  it('answers 404 problem+json for an unknown path', async () => {
    const body = await expectProblem(await fetch(`${baseUrl}/inventory/nothing-here`), 404);
    expect(body.detail).toContain('/inventory/nothing-here');
    expect(invocations).toEqual([]);
  });

  it('answers 405 problem+json with an Allow header for a known path and the wrong method', async () => {
    const response = await fetch(`${baseUrl}/inventory/process_order`);
    expect(response.headers.get('allow')).toBe('POST');
    await expectProblem(response, 405);

    const deleteResponse = await fetch(`${baseUrl}/inventory/orders/1`, { method: 'DELETE' });
    expect(deleteResponse.headers.get('allow')).toBe('GET, HEAD');
    await expectProblem(deleteResponse, 405);
    expect(invocations).toEqual([]);
  });
});

describe('answers the server gives by itself', () => {
  it('accepts a body of exactly 1 MiB', async () => {
    const response = await fetch(`${baseUrl}/inventory/process_restock`, {
      method: 'POST',
      body: 'x'.repeat(MAX_REQUEST_BODY_BYTES),
    });
    expect(response.status).toBe(200);
    expect(onlyInvocation().event.body).toHaveLength(MAX_REQUEST_BODY_BYTES);
  });

  it('refuses a body over 1 MiB with 413 problem+json, without calling the handler', async () => {
    const response = await fetch(`${baseUrl}/inventory/process_restock`, {
      method: 'POST',
      body: 'x'.repeat(MAX_REQUEST_BODY_BYTES + 1),
    });
    await expectProblem(response, 413);
    expect(invocations).toEqual([]);
  });

  it('refuses an oversized chunked body (no Content-Length) too', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${baseUrl}/inventory/process_restock`, { method: 'POST' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      const chunk = 'y'.repeat(256 * 1024);
      for (let i = 0; i < 5; i++) request.write(chunk);
      request.end();
    });
    expect(status).toBe(413);
    expect(invocations).toEqual([]);
  });

  it('turns a handler that throws into 500 problem+json and logs it', async () => {
    respond = async () => {
      throw new Error('boom');
    };
    const body = await expectProblem(await fetch(`${baseUrl}/inventory/products`), 500);
    expect(body.detail).toContain('list-products');
    expect(loggedErrors).toEqual([expect.stringContaining('list-products')]);
  });
});

// `npm start` end to end, once the real handlers exist (other engineers are writing them).
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const handlerNames = [...new Set(routes.map((route) => route.handler)), ...backgroundHandlers];
const realHandlersExist = handlerNames.every((name) => existsSync(`${repoRoot}functions/handlers/${name}.ts`));

describe('npm start', () => {
  it.skipIf(!realHandlersExist)(
    'serves the real handlers on DynamoDB Local and leaves no Java process behind',
    async () => {
      const service = await startService(['--in-memory'], (url) => `Try: curl -s ${url}`);
      try {
        const output = service.output();
        // Without --auth every route is open, and the server says so.
        expect(output).toContain('Access control OFF');
        const javaPid = Number(/DynamoDB Local \(pid (\d+)\)/.exec(output)?.[1]);
        expect(javaPid).toBeGreaterThan(0);

        const health = await fetch(`${service.url}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'ok' });
        const products = await fetch(`${service.url}/inventory/products/`);
        expect(products.status).toBe(200);

        // Ctrl-C in a terminal: SIGINT to the whole group. The service gets it twice (from the
        // terminal and forwarded by npm), which is one request to stop, not "stop now".
        service.signal('SIGINT', 'group');
        expect(await service.exited).toBe(0);
        expect(service.output().match(/SIGINT: stopping/g)).toHaveLength(1);
        expect(service.output()).not.toContain('again: exiting now');
        expect(isAlive(javaPid)).toBe(false);
      } finally {
        service.kill();
      }
    },
    120_000,
  );
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
