/**
 * GET /openapi.json and GET /docs through the route table and the real handler, with the event
 * API Gateway (and the local server) builds: status, content type, headers, caching.
 */
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DOCS_PAGE_CSP } from '../../functions/http/docs-page.js';
import type { OpenApiDocument } from '../../functions/http/openapi.js';
import { SECURITY_HEADERS } from '../../functions/http/responses.js';
import { routes } from '../../functions/routes.js';
import { toHttpApiEvent } from '../../local/api-gateway-event.js';
import { createLambdaContext } from '../../local/lambda-context.js';
import { createRouteMatcher } from '../../local/route-matcher.js';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const match = createRouteMatcher();

/** Like test/support/api.ts `call`, but keeps the body as text: /docs is HTML. */
async function fetchRaw(path: string, headers: Record<string, string> = {}) {
  const route = match('GET', path);
  if (route.kind !== 'found') throw new Error(`no route for GET ${path}`);
  expect(route.route.handler).toBe('api-docs');
  const { handler } = await import('../../functions/handlers/api-docs.js');
  const event = toHttpApiEvent(
    {
      method: 'GET',
      url: path,
      rawHeaders: Object.entries(headers).flat(),
      httpVersion: '1.1',
      sourceIp: '127.0.0.1',
      body: Buffer.alloc(0),
    },
    route,
  );
  const result = (await handler(event, createLambdaContext('api-docs'))) as APIGatewayProxyStructuredResultV2;
  return {
    status: result.statusCode,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: result.body ?? '',
  };
}

describe('GET /openapi.json', () => {
  it('answers the OpenAPI 3.1 document as JSON, of this package version, with every route', async () => {
    const res = await fetchRaw('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const doc = JSON.parse(res.body) as OpenApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe(process.env.SERVICE_VERSION ?? packageVersion);
    for (const route of routes)
      expect(doc.paths[route.path]?.[route.method.toLowerCase() as 'get' | 'post']).toBeDefined();
  });

  it('carries the security headers, a strict CSP, an ETag and a short public cache lifetime', async () => {
    const res = await fetchRaw('/openapi.json');
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (name !== 'cache-control') expect(res.headers[name]).toBe(value);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it('answers 304 without a body when If-None-Match names the current ETag, 200 for another', async () => {
    const { headers } = await fetchRaw('/openapi.json');
    const same = await fetchRaw('/openapi.json', { 'If-None-Match': `"other", ${headers.etag}` });
    expect(same.status).toBe(304);
    expect(same.body).toBe('');
    expect(same.headers.etag).toBe(headers.etag);
    expect((await fetchRaw('/openapi.json', { 'If-None-Match': '"other"' })).status).toBe(200);
  });

  it('a trailing slash answers the same document', async () => {
    expect((await fetchRaw('/openapi.json')).body).toBe((await fetchRaw('/openapi.json/')).body);
  });
});

describe('GET /docs', () => {
  it('answers a self-contained HTML page listing every route', async () => {
    const res = await fetchRaw('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toMatch(/^<!doctype html>/);
    for (const route of routes) expect(res.body).toContain(`<code>${route.path}</code>`);
    expect(res.body).not.toMatch(/<script|<link|\ssrc=/i);
  });

  it('carries the security headers, its CSP, an ETag of its own and the cache lifetime; a trailing slash is accepted', async () => {
    const res = await fetchRaw('/docs/');
    expect(res.status).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toBe(DOCS_PAGE_CSP);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers.etag).toBeDefined();
    expect(res.headers.etag).not.toBe((await fetchRaw('/openapi.json')).headers.etag);
  });
});
