/**
 * Typed domain errors: what went wrong, in the service's own terms, with the detail and the
 * bad fields. Use cases and validators throw these. They carry no HTTP knowledge:
 * `functions/http/problem.ts` maps each kind to its status, problem type and title in one table,
 * so no handler builds its own error body and the domain never names a status code.
 */
export interface FieldError {
  /** JSON path of the bad field, e.g. `requested[2].quantity` or `` for the whole body. */
  path: string;
  message: string;
}

/** The kinds of refusal the domain knows; each subclass below is one of them. */
export type DomainErrorKind =
  | 'malformedRequest'
  | 'invalidValue'
  | 'notFound'
  | 'conflict'
  | 'orderComplete'
  | 'requestInProgress'
  | 'dependencyUnavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

/** Not JSON, a value of the wrong JSON type, or a required field missing. */
export class MalformedRequestError extends DomainError {
  readonly kind = 'malformedRequest';
}

/** Right type, disallowed value (range, pattern, count, unknown product in an order, catalog rule). */
export class InvalidValueError extends DomainError {
  readonly kind = 'invalidValue';
}

/** Unknown product_id in a restock (kept from the original service), unknown order in GET. */
export class NotFoundError extends DomainError {
  readonly kind = 'notFound';
}

/** Same order_id / Idempotency-Key / event id with a different body. */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** Cancelling an order with nothing left to wait for (fulfilled): nothing to cancel. */
export class OrderCompleteError extends DomainError {
  readonly kind = 'orderComplete';
}

/**
 * A replay arrived while the first request with that key is still being applied; the caller may
 * try again after `retryAfterSeconds`.
 */
export class RequestInProgressError extends DomainError {
  readonly kind = 'requestInProgress';
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}

/** A dependency the service cannot work without (DynamoDB) does not answer. */
export class DependencyUnavailableError extends DomainError {
  readonly kind = 'dependencyUnavailable';
}
