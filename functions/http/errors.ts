/**
 * Refusals that exist only because the request came over HTTP: the body's size and media type,
 * and the method (answered by the local server; API Gateway answers it in AWS). The domain never
 * sees these. Like the domain errors, `problem.ts` maps each kind to its answer.
 */
import type { FieldError } from '../domain/errors.js';

export type HttpErrorKind = 'payloadTooLarge' | 'unsupportedMediaType' | 'methodNotAllowed';

export abstract class HttpError extends Error {
  abstract readonly kind: HttpErrorKind;
  constructor(
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class PayloadTooLargeError extends HttpError {
  readonly kind = 'payloadTooLarge';
}

export class UnsupportedMediaTypeError extends HttpError {
  readonly kind = 'unsupportedMediaType';
}

export class MethodNotAllowedError extends HttpError {
  readonly kind = 'methodNotAllowed';
}
