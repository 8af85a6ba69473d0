/**
 * Builds the API Gateway HTTP API payload v2.0 event that the deployed Lambda would receive,
 * so handlers run locally on exactly the input they get in AWS.
 * Reference: "Create AWS Lambda proxy integrations for HTTP APIs", payload format 2.0.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_API_ID = 'local';

/** What the server knows about one incoming request, independent of node:http. */
export interface IncomingHttpRequest {
  method: string;
  /** The request target as sent: path plus optional `?query`. */
  url: string;
  /** Alternating names and values, as `IncomingMessage.rawHeaders`. */
  rawHeaders: readonly string[];
  httpVersion: string;
  sourceIp: string;
  body: Buffer;
}

export interface MatchedRoute {
  routeKey: string;
  pathParameters: Record<string, string>;
}

export function toHttpApiEvent(
  request: IncomingHttpRequest,
  route: MatchedRoute,
  now = new Date(),
): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = splitOnce(request.url, '?');
  const { headers, cookies } = collectHeaders(request.rawHeaders, request.sourceIp);
  const queryStringParameters = parseQuery(rawQueryString);
  const domainName = headers.host ?? 'localhost';

  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    // API Gateway omits the optional fields when there is nothing to put in them.
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(Object.keys(route.pathParameters).length > 0 ? { pathParameters: route.pathParameters } : {}),
    ...encodeBody(request.body, headers['content-type']),
  };
}

/**
 * The body as API Gateway's HTTP API hands it to Lambda. AWS documents only that a binary body
 * arrives base64-encoded with `isBase64Encoded: true`, not which content types count as text.
 * Observed on real HTTP APIs (reported in ministackorg/ministack#766 and floci-io/floci#2172):
 * text/*, application/json, application/xml and application/javascript arrive as a string; any
 * other type, and a request without content-type, arrives base64-encoded.
 *
 * What AWS does with bytes that are not valid UTF-8 under a text type is not documented (and
 * not verified here). The stand-in passes them base64-encoded too, never decoded lossily
 * (Buffer#toString would turn them into U+FFFD, silently changing e.g. a product name), so that
 * the handler's fatal UTF-8 decoder (functions/http/request-body.ts) refuses them with 400, as
 * SPEC "Errors" requires.
 */
export function encodeBody(body: Buffer, contentType: string | undefined): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false };
  const text = isTextMediaType(contentType) ? decodeUtf8(body) : undefined;
  return text === undefined
    ? { body: body.toString('base64'), isBase64Encoded: true }
    : { body: text, isBase64Encoded: false };
}

const TEXT_MEDIA_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);

function isTextMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  return mediaType.startsWith('text/') || TEXT_MEDIA_TYPES.has(mediaType);
}

/** The text, or undefined when the bytes are not valid UTF-8. A leading BOM is kept: the handler ignores it. */
function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Names lowercased, repeated headers joined with commas (format 2.0 has no multiValueHeaders).
 * Cookie headers move to `cookies`, one entry per cookie, as API Gateway does.
 */
function collectHeaders(
  rawHeaders: readonly string[],
  sourceIp: string,
): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  // Added by API Gateway in front of every integration.
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  return { headers, cookies };
}

/** Decoded values, repeated names joined with commas; undefined when there is no query. */
function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return parameters;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's CLF-style request time, e.g. `12/Mar/2020:19:03:58 +0000`. */
export function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}
