/**
 * The local stand-in for API Gateway: a node:http server on the loopback interface that turns
 * each request into the HTTP API v2.0 event, calls the route's Lambda handler and writes back
 * its result. Handlers are injected, so tests can run it with fakes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { NotFoundError } from '../functions/domain/errors.js';
import { MethodNotAllowedError, PayloadTooLargeError } from '../functions/http/errors.js';
import type { HandlerName } from '../functions/routes.js';
import { toHttpApiEvent } from './api-gateway-event.js';
import type { DevAuth } from './dev-auth.js';
import { createLambdaContext, DEFAULT_HANDLER_TIMEOUT_MS } from './lambda-context.js';
import { authProblem, internalErrorProblem, problemOf, writeProblem } from './problem.js';
import { createRouteMatcher } from './route-matcher.js';

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;
export type HttpApiHandlers = Readonly<Record<HandlerName, HttpApiHandler>>;

/**
 * Far above the service's own 256 KiB limit (which the handlers enforce, as in AWS), so only
 * requests that API Gateway itself would refuse never reach a handler.
 */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export interface LocalServerLog {
  request(line: string): void;
  error(message: string, error: unknown): void;
}

export interface LocalServerOptions {
  handlers: HttpApiHandlers;
  /** What `context.getRemainingTimeInMillis()` counts down from; default 29 000 ms. */
  handlerTimeoutMs?: number;
  maxBodyBytes?: number;
  log?: LocalServerLog;
  /** Prefix of the Lambda function names handlers see in their context. */
  functionNamePrefix?: string;
  /**
   * `npm start -- --auth`: routes with a scope need a bearer token carrying it, as behind the
   * JWT authorizer in AWS. Absent: every route is open (the server listens on loopback only).
   */
  auth?: DevAuth;
}

const consoleLog: LocalServerLog = {
  request: (line) => console.log(line),
  error: (message, error) => console.error(message, error),
};

export function createLocalHttpServer(options: LocalServerOptions): Server {
  const matchRoute = createRouteMatcher();
  const log = options.log ?? consoleLog;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES;
  const timeoutMs = options.handlerTimeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS;
  const functionNamePrefix = options.functionNamePrefix ?? 'fulfillment-local-';

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const rawPath = url.split('?', 1)[0] ?? '/';
    const match = matchRoute(method, rawPath);
    if (match.kind === 'not-found') {
      request.resume();
      writeProblem(response, problemOf(new NotFoundError(`No route for ${rawPath}`)));
      return;
    }
    if (match.kind === 'method-not-allowed') {
      request.resume();
      const allow = match.allowedMethods.join(', ');
      writeProblem(response, problemOf(new MethodNotAllowedError(`${rawPath} accepts ${allow}, not ${method}`)), {
        allow,
      });
      return;
    }

    // Before the body is read, as API Gateway refuses a request before it reaches the function.
    let authorizer: { jwt: { claims: Record<string, unknown>; scopes: string[] } } | undefined;
    if (options.auth && match.route.scope) {
      const decision = await options.auth.authorize(match.route.scope, request.headers.authorization);
      if (!decision.allowed) {
        request.resume();
        writeProblem(response, authProblem(decision.status, decision.detail), {
          'www-authenticate': decision.wwwAuthenticate,
        });
        return;
      }
      authorizer = { jwt: { claims: decision.claims as Record<string, unknown>, scopes: decision.scopes } };
    }

    const body = await readBody(request, maxBodyBytes);
    if (body === 'too-large') {
      const detail = `Request bodies are limited to ${maxBodyBytes} bytes`;
      // Close the connection: the rest of an oversized upload is not worth reading.
      writeProblem(response, problemOf(new PayloadTooLargeError(detail)), { connection: 'close' });
      return;
    }

    const event = toHttpApiEvent(
      {
        method,
        url,
        rawHeaders: request.rawHeaders,
        httpVersion: request.httpVersion,
        sourceIp: normalizeIp(request.socket.remoteAddress),
        body,
      },
      match,
    );
    if (authorizer) Object.assign(event.requestContext, { authorizer });
    const handler = options.handlers[match.route.handler];
    const context = createLambdaContext(`${functionNamePrefix}${match.route.handler}`, timeoutMs);
    let result: APIGatewayProxyResultV2;
    try {
      result = await handler(event, context);
    } catch (error) {
      log.error(`${match.routeKey}: handler ${match.route.handler} threw (request ${context.awsRequestId})`, error);
      writeProblem(
        response,
        internalErrorProblem(
          `The ${match.route.handler} handler failed; see the server log for request ${context.awsRequestId}`,
        ),
      );
      return;
    }
    writeResult(response, result);
  };

  return createServer((request, response) => {
    const started = performance.now();
    response.once('finish', () => {
      log.request(
        `${request.method} ${request.url} -> ${response.statusCode} (${Math.round(performance.now() - started)} ms)`,
      );
    });
    serve(request, response).catch((error: unknown) => {
      log.error(`${request.method} ${request.url}: local server failure`, error);
      writeProblem(response, internalErrorProblem('The local server failed to process the request'));
    });
  });
}

/**
 * Writes a Lambda result the way API Gateway interprets format 2.0 responses: a structured
 * result as given; anything else (no statusCode) as a 200 JSON body.
 */
function writeResult(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result !== 'object' || result === null || typeof result.statusCode !== 'number') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(typeof result === 'string' ? result : JSON.stringify(result));
    return;
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  if (result.cookies && result.cookies.length > 0) response.setHeader('set-cookie', result.cookies);
  const body =
    result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  response.writeHead(result.statusCode);
  response.end(body);
}

/** Reads the whole body, or stops at `limit` bytes (checking Content-Length first when sent). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.resume(); // discard the rest
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function normalizeIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** Listens on 127.0.0.1 (never on the LAN: the local service has no authentication). Port 0 picks a free one. */
export function listenOnLoopback(server: Server, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

/** Stops accepting connections, lets in-flight requests finish for up to `graceMs`, then cuts the rest. */
export function closeServer(server: Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
