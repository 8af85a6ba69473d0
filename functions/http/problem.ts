import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, PROBLEM_TYPE_BASE, RequestInProgressError } from '../domain/errors.js';
import type { FieldError } from '../domain/errors.js';
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
export const INTERNAL_ERROR_TYPE = `${PROBLEM_TYPE_BASE}internal-error`;

/**
 * The one place a thrown error becomes an HTTP answer. A `DomainError` answers with its own
 * status and fields; anything else is a bug or an outage and answers a generic 500 that leaks
 * no message, stack or internal name. The caller logs the original error; `requestId` (when
 * given) goes into an `x-request-id` header and the 500 detail so an operator can find that log.
 */
export function problemResponse(error: unknown, requestId?: string): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = {};
  if (requestId) headers['x-request-id'] = requestId;

  if (!(error instanceof DomainError)) {
    const body: ProblemBody = {
      type: INTERNAL_ERROR_TYPE,
      title: 'Internal server error',
      status: 500,
      detail: requestId
        ? `The service failed to handle this request; it has been logged under request id ${requestId}.`
        : 'The service failed to handle this request; it has been logged.',
    };
    return jsonResponse(500, body, headers, PROBLEM_CONTENT_TYPE);
  }

  if (error instanceof RequestInProgressError) {
    // Retry-After is whole seconds (RFC 9110); never 0, which would invite a busy loop.
    const seconds = Number.isFinite(error.retryAfterSeconds) ? Math.max(1, Math.ceil(error.retryAfterSeconds)) : 1;
    headers['retry-after'] = String(seconds);
  }
  const body: ProblemBody = {
    type: PROBLEM_TYPE_BASE + error.slug,
    title: error.title,
    status: error.status,
    detail: error.detail,
  };
  if (error.errors.length > 0) body.errors = error.errors.map(({ path, message }) => ({ path, message }));
  return jsonResponse(error.status, body, headers, PROBLEM_CONTENT_TYPE);
}
