import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * Headers on every response, success or problem, set in this one place: no sniffing a JSON body
 * into something executable, no framing, and no caching of stock levels or order states by
 * any intermediary (a cached 200 would show stock that no longer exists).
 * In Lambda, HSTS too: the API is served over HTTPS only, and browsers must never downgrade to
 * HTTP. Under `npm start` (plain HTTP on loopback) it would mean nothing, so it is left out.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  ...(runsInLambda() ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
});

function runsInLambda(): boolean {
  return (process.env.AWS_EXECUTION_ENV ?? '').startsWith('AWS_Lambda_');
}

/** A response with a JSON body; `contentType` lets problem responses reuse the same path. */
export function jsonResponse(
  status: number,
  body: unknown,
  extraHeaders: Record<string, string> = {},
  contentType = 'application/json',
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...SECURITY_HEADERS, 'content-type': contentType, ...extraHeaders },
    body: JSON.stringify(body),
  };
}
