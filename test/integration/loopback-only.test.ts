/**
 * Locally, nothing listens beyond this machine (issue 16). DynamoDB Local holds every product,
 * order and restock, unguarded by the service's rules or --auth: it, and everything `npm start`
 * and the tests run, must listen on loopback only, and its CORS allow-list must admit no web
 * page, not even one opened on this machine.
 *
 * The sockets are read from /proc (../support/listening-sockets.ts), as `ss -ltnp` would show
 * them: Linux only (CI and the README's setup); elsewhere those two checks are skipped.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamodbEndpoint } from '../support/dynamodb.js';
import { decodeAddress, isLoopback, listeningSockets, processTree } from '../support/listening-sockets.js';
import { type RunningService, startService } from '../support/npm-start.js';

const hasProcNet = process.platform === 'linux';

describe('npm start', () => {
  let service: RunningService;
  let dynamodbUrl: string;

  beforeAll(async () => {
    service = await startService(['--in-memory'], (url) => `Try: curl -s ${url}`);
    dynamodbUrl = /DynamoDB Local \(pid \d+\) at (http:\/\/\S+),/.exec(service.output())?.[1] ?? '';
  }, 120_000);
  afterAll(async () => {
    await service?.interrupt();
    service?.kill();
  });

  it.skipIf(!hasProcNet)('listens on loopback only: node, DynamoDB Local and every other process it started', () => {
    const sockets = listeningSockets(processTree(service.npmPid));
    // The check sees what it must: the service's port and DynamoDB Local's.
    expect(sockets.map((socket) => socket.port)).toEqual(
      expect.arrayContaining([service.port, Number(new URL(dynamodbUrl).port)]),
    );
    expect(sockets.filter((socket) => !isLoopback(socket))).toEqual([]);
  });

  it("DynamoDB Local's CORS admits no web page", async () => {
    await expectNoCrossOriginAccess(dynamodbUrl);
  });
});

describe("the tests' DynamoDB Local (global setup)", () => {
  it.skipIf(!hasProcNet)('listens on loopback only, as does everything else this test run holds open now', () => {
    const sockets = listeningSockets(processTree(inject('testRunnerPid')));
    expect(sockets.map((socket) => socket.port)).toContain(Number(new URL(dynamodbEndpoint()).port));
    expect(sockets.filter((socket) => !isLoopback(socket))).toEqual([]);
  });

  it('admits no web page through CORS', async () => {
    await expectNoCrossOriginAccess(dynamodbEndpoint());
  });
});

describe('reading /proc', () => {
  it.each([
    ['0100007F', 'tcp', '127.0.0.1', true],
    ['0101007F', 'tcp', '127.0.1.1', true],
    ['00000000', 'tcp', '0.0.0.0', false],
    ['0100A8C0', 'tcp', '192.168.0.1', false],
    ['00000000000000000000000001000000', 'tcp6', '::1', true],
    ['0000000000000000FFFF00000100007F', 'tcp6', '::ffff:7f00:1', true],
    ['00000000000000000000000000000000', 'tcp6', '::', false],
    ['0000000000000000FFFF00000100A8C0', 'tcp6', '::ffff:c0a8:1', false],
  ] as const)('%s (%s) is %s, loopback: %s', (hex, table, address, loopback) => {
    expect(decodeAddress(hex)).toBe(address);
    expect(isLoopback({ table, address })).toBe(loopback);
  });
});

/** Origins a browser could send: a foreign site, a sandboxed or file:// page, a page on this machine. */
const WEB_ORIGINS = ['http://evil.example', 'null', 'http://localhost:3000'];

/**
 * Neither a preflight (as a browser sends before an AWS SDK call) nor the call itself may answer
 * Access-Control-Allow-Origin: without it the browser lets no page send the call or read its answer.
 */
async function expectNoCrossOriginAccess(endpoint: string): Promise<void> {
  for (const origin of WEB_ORIGINS) {
    const bare = await send(endpoint, 'OPTIONS', { origin, 'access-control-request-method': 'POST' });
    expect(bare.headers['access-control-allow-origin'], `preflight from ${origin}`).toBeUndefined();

    const sdkPreflight = await send(endpoint, 'OPTIONS', {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target,x-amz-user-agent',
    });
    expect(sdkPreflight.status, `SDK preflight from ${origin}`).toBe(200); // answered, yet not allowed:
    expect(sdkPreflight.headers['access-control-allow-origin'], `SDK preflight from ${origin}`).toBeUndefined();

    const call = await send(
      endpoint,
      'POST',
      {
        origin,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      '{}',
    );
    expect(call.status, `ListTables from ${origin}`).toBe(200);
    expect(call.headers['access-control-allow-origin'], `ListTables from ${origin}`).toBeUndefined();
  }
}

function send(
  endpoint: string,
  method: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(endpoint, { method, headers }, (response) => {
      response.resume();
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}
