/** The optional `Idempotency-Key` header of the requests that may be retried safely (restocks, write-offs). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidValueError } from '../domain/errors.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The header's value, or undefined when absent; a value that is not 1 to 255 visible ASCII characters is 422. */
export function idempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const value = event.headers?.['idempotency-key'];
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new InvalidValueError('the Idempotency-Key header must be 1 to 255 visible ASCII characters', [
      { path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return value;
}
