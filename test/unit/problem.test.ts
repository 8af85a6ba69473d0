import { describe, expect, it, vi } from 'vitest';
import {
  ConflictError,
  DependencyUnavailableError,
  InvalidValueError,
  MalformedRequestError,
  NotFoundError,
  RequestInProgressError,
} from '../../functions/domain/errors.js';
import { MethodNotAllowedError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../functions/http/errors.js';
import { PROBLEM_TYPE_BASE, PROBLEM_TYPES, problemResponse } from '../../functions/http/problem.js';
import { authProblem, internalErrorProblem, problemOf } from '../../local/problem.js';
import { SECURITY_HEADERS, jsonResponse } from '../../functions/http/responses.js';

const bodyOf = (r: { body?: string }) => JSON.parse(r.body ?? 'null');

describe('problemResponse', () => {
  it.each([
    [new MalformedRequestError('d'), 400, 'malformed-request'],
    [new InvalidValueError('d'), 422, 'invalid-value'],
    [new NotFoundError('d'), 404, 'not-found'],
    [new ConflictError('d'), 409, 'conflict'],
    [new RequestInProgressError('d', 2), 409, 'request-in-progress'],
    [new PayloadTooLargeError('d'), 413, 'payload-too-large'],
    [new UnsupportedMediaTypeError('d'), 415, 'unsupported-media-type'],
    [new MethodNotAllowedError('d'), 405, 'method-not-allowed'],
    [new DependencyUnavailableError('d'), 503, 'dependency-unavailable'],
  ])('maps %s to %i', (error, status, slug) => {
    const response = problemResponse(error);
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    const { title } = PROBLEM_TYPES[error.kind];
    expect(bodyOf(response)).toEqual({ type: PROBLEM_TYPE_BASE + slug, title, status, detail: 'd' });
  });

  it('gives every kind its own problem type', () => {
    const slugs = Object.values(PROBLEM_TYPES).map((t) => t.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
  });

  it('leaves HTTP out of the domain errors: no status, problem type or title on them', () => {
    const error = new ConflictError('d');
    for (const field of ['status', 'slug', 'title', 'type']) expect(error).not.toHaveProperty(field);
  });

  it('lists field errors only when there are some', () => {
    const errors = [{ path: 'requested[0].quantity', message: 'must be an integer from 1 to 10000' }];
    expect(bodyOf(problemResponse(new InvalidValueError('bad', errors))).errors).toEqual(errors);
    expect('errors' in bodyOf(problemResponse(new InvalidValueError('bad', [])))).toBe(false);
  });

  it('sends Retry-After in whole seconds, at least 1, for a request in progress', () => {
    expect(problemResponse(new RequestInProgressError('busy', 2)).headers?.['retry-after']).toBe('2');
    expect(problemResponse(new RequestInProgressError('busy', 0.2)).headers?.['retry-after']).toBe('1');
    expect(problemResponse(new RequestInProgressError('busy', 0)).headers?.['retry-after']).toBe('1');
    expect(problemResponse(new ConflictError('other')).headers?.['retry-after']).toBeUndefined();
  });

  it('answers anything else with a generic 500 that leaks nothing', () => {
    const secret = new Error('ConditionalCheckFailed on table fulfillment-prod pk=PRODUCT#7');
    for (const error of [secret, new TypeError('x is undefined'), 'a string', undefined, { status: 422 }]) {
      const response = problemResponse(error, 'req-1');
      expect(response.statusCode).toBe(500);
      const body = bodyOf(response);
      expect(Object.keys(body).sort()).toEqual(['detail', 'status', 'title', 'type']);
      expect(body.status).toBe(500);
      expect(body.type).toBe(`${PROBLEM_TYPE_BASE}internal-error`);
      expect(body.detail).toContain('req-1');
      expect(response.body).not.toMatch(/fulfillment-prod|PRODUCT#|undefined|TypeError|at .*\.ts/);
    }
  });

  it('carries the request id in a header when given', () => {
    expect(problemResponse(new NotFoundError('no'), 'abc').headers?.['x-request-id']).toBe('abc');
    expect(problemResponse(new NotFoundError('no')).headers?.['x-request-id']).toBeUndefined();
  });

  it('sends the security headers on every problem', () => {
    for (const error of [new NotFoundError('x'), new Error('boom')]) {
      expect(problemResponse(error).headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'cache-control': 'no-store',
      });
    }
  });
});

describe('jsonResponse', () => {
  it('serializes the body as application/json with the security headers', () => {
    const response = jsonResponse(201, { products: [] }, { location: '/x' });
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body!)).toEqual({ products: [] });
    expect(response.headers).toEqual({ ...SECURITY_HEADERS, 'content-type': 'application/json', location: '/x' });
  });
});

describe('HSTS', () => {
  const load = async (executionEnv: string | undefined) => {
    vi.resetModules();
    if (executionEnv === undefined) vi.stubEnv('AWS_EXECUTION_ENV', '');
    else vi.stubEnv('AWS_EXECUTION_ENV', executionEnv);
    try {
      return (await import('../../functions/http/responses.js')).jsonResponse(200, {}).headers ?? {};
    } finally {
      vi.unstubAllEnvs();
    }
  };

  it('is sent from Lambda, where the API is HTTPS only', async () => {
    expect(await load('AWS_Lambda_nodejs22.x')).toMatchObject({
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    });
  });

  it('is left out under npm start, which speaks plain HTTP on loopback', async () => {
    expect(await load(undefined)).not.toHaveProperty('strict-transport-security');
  });
});

describe("the local server's own problems", () => {
  it('come from the same table as the handlers', () => {
    const handlerBody = (error: Parameters<typeof problemOf>[0]) => bodyOf(problemResponse(error));
    for (const error of [new NotFoundError('No route'), new MethodNotAllowedError('GET only')]) {
      expect(problemOf(error)).toEqual(handlerBody(error));
    }
    expect(internalErrorProblem('boom')).toEqual({
      type: `${PROBLEM_TYPE_BASE}internal-error`,
      title: 'Internal server error',
      status: 500,
      detail: 'boom',
    });
    expect(authProblem(401, 'no token')).toEqual({
      type: `${PROBLEM_TYPE_BASE}unauthorized`,
      title: PROBLEM_TYPES.unauthorized.title,
      status: 401,
      detail: 'no token',
    });
    expect(authProblem(403, 'no scope')).toMatchObject({ type: `${PROBLEM_TYPE_BASE}forbidden`, status: 403 });
  });
});
