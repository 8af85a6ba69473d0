/**
 * The one place a refusal becomes an HTTP answer (RFC 9457 application/problem+json). The domain
 * says what went wrong (`DomainError.kind`), the HTTP layer adds its own refusals (`HttpError`),
 * and `PROBLEM_TYPES` below gives each kind its status, problem type and title. The handlers
 * (through `problemResponse`), the OpenAPI document and the local server all read this table.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, type DomainErrorKind, type FieldError, RequestInProgressError } from '../domain/errors.js';
import { HttpError, type HttpErrorKind } from './errors.js';
import { jsonResponse } from './responses.js';

/** An RFC 9457 problem body as this service sends it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Only present when there is at least one bad field. */
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://fulfillment.example/problems/';

/**
 * Every kind of problem the service answers: the domain's, the HTTP layer's, the token checks
 * that API Gateway's authorizer makes in AWS (and the local server under `--auth`), and the
 * internal error that stands for any bug or outage.
 */
export type ProblemKind = DomainErrorKind | HttpErrorKind | 'unauthorized' | 'forbidden' | 'internalError';

export interface ProblemType {
  status: number;
  /** Last segment of the problem type URI. */
  slug: string;
  title: string;
}

/** SPEC "Errors", as a table. A kind without a row, or a row without a kind, does not compile. */
export const PROBLEM_TYPES = {
  malformedRequest: { status: 400, slug: 'malformed-request', title: 'Malformed request' },
  invalidValue: { status: 422, slug: 'invalid-value', title: 'Invalid value' },
  notFound: { status: 404, slug: 'not-found', title: 'Not found' },
  conflict: { status: 409, slug: 'conflict', title: 'Conflict with an earlier request' },
  orderComplete: { status: 409, slug: 'order-complete', title: 'Order complete' },
  requestInProgress: { status: 409, slug: 'request-in-progress', title: 'Request in progress' },
  // The only 5xx the service answers on purpose (GET /health).
  dependencyUnavailable: { status: 503, slug: 'dependency-unavailable', title: 'Dependency unavailable' },
  payloadTooLarge: { status: 413, slug: 'payload-too-large', title: 'Payload too large' },
  unsupportedMediaType: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  methodNotAllowed: { status: 405, slug: 'method-not-allowed', title: 'Method not allowed' },
  unauthorized: { status: 401, slug: 'unauthorized', title: 'Unauthorized' },
  forbidden: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  internalError: { status: 500, slug: 'internal-error', title: 'Internal server error' },
} as const satisfies Record<ProblemKind, ProblemType>;

export const INTERNAL_ERROR_TYPE = problemTypeUri('internalError');

export function problemTypeUri(kind: ProblemKind): string {
  return PROBLEM_TYPE_BASE + PROBLEM_TYPES[kind].slug;
}

/** An error the service answers with its own problem (a refusal), as opposed to a bug or an outage. */
export type Refusal = DomainError | HttpError;

export function isRefusal(error: unknown): error is Refusal {
  return error instanceof DomainError || error instanceof HttpError;
}

/** The body for a problem of this kind. */
export function problemBody(kind: ProblemKind, detail: string, errors: readonly FieldError[] = []): ProblemBody {
  const { status, title } = PROBLEM_TYPES[kind];
  const body: ProblemBody = { type: problemTypeUri(kind), title, status, detail };
  if (errors.length > 0) body.errors = errors.map(({ path, message }) => ({ path, message }));
  return body;
}

/** The body a refusal is answered with. */
export function refusalProblem(error: Refusal): ProblemBody {
  return problemBody(error.kind, error.detail, error.errors);
}

/**
 * A thrown error as an HTTP answer. A refusal answers with its kind's row of `PROBLEM_TYPES`;
 * anything else is a bug or an outage and answers a generic 500 that leaks no message, stack or
 * internal name. The caller logs the original error; `requestId` (when given) goes into an
 * `x-request-id` header and the 500 detail so an operator can find that log.
 */
export function problemResponse(error: unknown, requestId?: string): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = {};
  if (requestId) headers['x-request-id'] = requestId;

  if (!isRefusal(error)) {
    const body = problemBody(
      'internalError',
      requestId
        ? `The service failed to handle this request; it has been logged under request id ${requestId}.`
        : 'The service failed to handle this request; it has been logged.',
    );
    return jsonResponse(body.status, body, headers, PROBLEM_CONTENT_TYPE);
  }

  if (error instanceof RequestInProgressError) {
    // Retry-After is whole seconds (RFC 9110); never 0, which would invite a busy loop.
    const seconds = Number.isFinite(error.retryAfterSeconds) ? Math.max(1, Math.ceil(error.retryAfterSeconds)) : 1;
    headers['retry-after'] = String(seconds);
  }
  const body = refusalProblem(error);
  return jsonResponse(body.status, body, headers, PROBLEM_CONTENT_TYPE);
}
