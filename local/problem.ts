/**
 * Errors the local server answers by itself (no handler involved), in the service's
 * application/problem+json shape (RFC 9457), from the same table as the handlers' answers
 * (functions/http/problem.ts).
 */
import type { ServerResponse } from 'node:http';
import { problemBody, refusalProblem, type ProblemBody, type Refusal } from '../functions/http/problem.js';
import { SECURITY_HEADERS } from '../functions/http/responses.js';

export type Problem = ProblemBody;

export function problemOf(error: Refusal): Problem {
  return refusalProblem(error);
}

/** A handler crashed: the deployed API would answer 500 too, but the service speaks problem+json. */
export function internalErrorProblem(detail: string): Problem {
  return problemBody('internalError', detail);
}

/**
 * A refused token (`npm start -- --auth`). API Gateway's JWT authorizer answers these itself in
 * AWS, with the same statuses but its own body `{"message":"Unauthorized"}` / `"Forbidden"`.
 */
export function authProblem(status: 401 | 403, detail: string): Problem {
  return problemBody(status === 401 ? 'unauthorized' : 'forbidden', detail);
}

export function writeProblem(response: ServerResponse, body: Problem, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy(); // too late for a clean error: cut the connection so the client sees a failure
    return;
  }
  response.writeHead(body.status, { ...SECURITY_HEADERS, ...headers, 'content-type': 'application/problem+json' });
  response.end(JSON.stringify(body));
}
