/**
 * GET /openapi.json and GET /docs: the OpenAPI document (functions/http/openapi.ts) and its HTML
 * page. Both are built once per process, at cold start: they change only with a deploy, so they
 * carry an ETag and may be cached for a few minutes.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SERVICE_VERSION } from '../commons/service-version.js';
import { NotFoundError } from '../domain/errors.js';
import { DOCS_PAGE_CSP, renderDocsPage } from '../http/docs-page.js';
import { apiHandler } from '../http/api-handler.js';
import { buildOpenApiDocument } from '../http/openapi.js';
import { SECURITY_HEADERS } from '../http/responses.js';

/** Static per deploy: five minutes in any cache, then revalidated with the ETag. */
export const DOCS_CACHE_CONTROL = 'public, max-age=300';
/** The JSON document needs no style or script at all. */
export const DOCUMENT_CSP = "default-src 'none'; frame-ancestors 'none'";

interface StaticAnswer {
  body: string;
  headers: Record<string, string>;
}

function staticAnswer(body: string, contentType: string, csp: string): StaticAnswer {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return {
    body,
    headers: {
      ...SECURITY_HEADERS,
      'content-type': contentType,
      'content-security-policy': csp,
      'cache-control': DOCS_CACHE_CONTROL,
      etag,
    },
  };
}

const document = buildOpenApiDocument(SERVICE_VERSION);
const answers: Record<string, StaticAnswer> = {
  'GET /openapi.json': staticAnswer(JSON.stringify(document), 'application/json', DOCUMENT_CSP),
  'GET /docs': staticAnswer(renderDocsPage(document), 'text/html; charset=utf-8', DOCS_PAGE_CSP),
};

export const handler = apiHandler(async (event): Promise<APIGatewayProxyStructuredResultV2> => {
  // The route key, not rawPath: API Gateway also routes `/docs/` here (see infra/constructs/api.ts).
  // A HEAD request gets the GET answer (its body dropped by apiHandler).
  const answer = answers[event.routeKey.replace(/^HEAD /, 'GET ')];
  if (!answer) throw new NotFoundError(`no API documentation at ${event.routeKey}`);
  const ifNoneMatch = event.headers?.['if-none-match'];
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === answer.headers.etag || tag.trim() === '*')) {
    return { statusCode: 304, headers: answer.headers };
  }
  return { statusCode: 200, headers: answer.headers, body: answer.body };
});
