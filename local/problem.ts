/**
 * Errors the local server answers by itself (no handler involved), in the service's
 * application/problem+json shape (RFC 9457), typed by the same domain errors as the handlers use.
 */
import type { ServerResponse } from 'node:http';
import { PROBLEM_TYPE_BASE, type DomainError } from '../functions/domain/errors.js';
import { SECURITY_HEADERS } from '../functions/http/responses.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

export function problemOf(error: DomainError): Problem {
  return { type: `${PROBLEM_TYPE_BASE}${error.slug}`, title: error.title, status: error.status, detail: error.detail };
}

/** A handler crashed: the deployed API would answer 500 too, but the service speaks problem+json. */
export function internalErrorProblem(detail: string): Problem {
  return { type: `${PROBLEM_TYPE_BASE}internal-error`, title: 'Internal server error', status: 500, detail };
}

/**
 * A refused token (`npm start -- --auth`). API Gateway's JWT authorizer answers these itself in
 * AWS, with the same statuses but its own body `{"message":"Unauthorized"}` / `"Forbidden"`.
 */
export function authProblem(status: 401 | 403, detail: string): Problem {
  return status === 401
    ? { type: `${PROBLEM_TYPE_BASE}unauthorized`, title: 'Unauthorized', status, detail }
    : { type: `${PROBLEM_TYPE_BASE}forbidden`, title: 'Forbidden', status, detail };
}

export function writeProblem(response: ServerResponse, body: Problem, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy(); // too late for a clean error: cut the connection so the client sees a failure
    return;
  }
  response.writeHead(body.status, { ...SECURITY_HEADERS, ...headers, 'content-type': 'application/problem+json' });
  response.end(JSON.stringify(body));
}
