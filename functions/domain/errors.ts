/**
 * Typed domain errors. Use cases and validators throw these; `functions/http/problem.ts` maps
 * them to application/problem+json in one place, so no handler builds its own error body.
 */
export interface FieldError {
  /** JSON path of the bad field, e.g. `requested[2].quantity` or `` for the whole body. */
  path: string;
  message: string;
}

export const PROBLEM_TYPE_BASE = 'https://fulfillment.example/problems/';

export abstract class DomainError extends Error {
  abstract readonly status: number;
  /** Last segment of the problem type URI. */
  abstract readonly slug: string;
  abstract readonly title: string;
  constructor(
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

/** Not JSON, wrong JSON type, or a required field missing. */
export class MalformedRequestError extends DomainError {
  readonly status = 400;
  readonly slug = 'malformed-request';
  readonly title = 'Malformed request';
}

/** Right type, disallowed value (range, pattern, count, unknown product in an order, catalog rule). */
export class InvalidValueError extends DomainError {
  readonly status = 422;
  readonly slug = 'invalid-value';
  readonly title = 'Invalid value';
}

/** Unknown product_id in a restock (kept from the original service), unknown order in GET. */
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly slug = 'not-found';
  readonly title = 'Not found';
}

/** Same order_id / Idempotency-Key / event id with a different body. */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly slug = 'conflict';
  readonly title = 'Conflict with an earlier request';
}

/** A replay arrived while the first request with that key is still being applied. */
export class RequestInProgressError extends DomainError {
  readonly status = 409;
  readonly slug = 'request-in-progress';
  readonly title = 'Request in progress';
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly slug = 'payload-too-large';
  readonly title = 'Payload too large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly slug = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly slug = 'method-not-allowed';
  readonly title = 'Method not allowed';
}

/** Health check failed: the only 5xx the service answers on purpose. */
export class DependencyUnavailableError extends DomainError {
  readonly status = 503;
  readonly slug = 'dependency-unavailable';
  readonly title = 'Dependency unavailable';
}
