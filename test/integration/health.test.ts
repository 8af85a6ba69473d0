/**
 * GET /health on DynamoDB Local: 200 with the version while the table answers; 503
 * `dependency-unavailable` when the table is missing or DynamoDB does not answer at all.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient, setDocumentClient } from '../../functions/commons/dynamodb.js';
import { SERVICE_VERSION } from '../../functions/commons/service-version.js';
import { PROBLEM_TYPE_BASE } from '../../functions/http/problem.js';
import { get } from '../support/api.js';
import { createTestTable } from '../support/dynamodb.js';

let table: string;

beforeAll(async () => {
  table = await createTestTable('health');
});

afterEach(() => {
  process.env.TABLE_NAME = table;
  setDocumentClient(undefined);
});

const unavailable = {
  type: `${PROBLEM_TYPE_BASE}dependency-unavailable`,
  status: 503,
  detail: 'DynamoDB is unreachable',
};

describe('GET /health', () => {
  it('answers 200 with the version while the table answers', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', version: SERVICE_VERSION });
  });

  it('answers 503 when the table does not exist', async () => {
    process.env.TABLE_NAME = `${table}-missing`;
    const res = await get('/health');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body).toMatchObject(unavailable);
  });

  it('answers 503 when DynamoDB does not answer at all', async () => {
    // Port 1 on loopback: nothing listens there, so every attempt is refused at once.
    setDocumentClient(createDocumentClient('http://127.0.0.1:1'));
    const res = await get('/health');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject(unavailable);
  });
});
