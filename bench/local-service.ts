/**
 * The service as the benchmarks run it, all on loopback in one process: DynamoDB Local in memory,
 * the real handlers behind the local API Gateway stand-in, and a keep-alive HTTP client. Shared by
 * bench/load.ts, bench/contention.ts and bench/capacity.ts, so each measures the same service.
 */
import { Agent, request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../local/bootstrap.js';
import { type DynamoDBLocal, startDynamoDBLocal } from '../local/dynamodb-local.js';
import { loadRouteHandlers } from '../local/handler-loader.js';
import { closeServer, createLocalHttpServer, listenOnLoopback } from '../local/http-server.js';
import { applyLocalAwsEnv, localClientConfig } from '../local/local-aws-env.js';

export interface BenchService {
  dynamodb: DynamoDBLocal;
  /** One request to the local gateway; the body parsed as JSON. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  /** Points the handlers at another of the tables (the catalog they remember is forgotten). */
  useTable(name: string): void;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local with `tables` (the first one in use) and the handlers in front of it. */
export async function startBenchService(tables: string[]): Promise<BenchService> {
  // Handlers log every package at INFO; a benchmark prints only errors.
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const dynamodb = await startDynamoDBLocal();
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let server: ReturnType<typeof createLocalHttpServer> | undefined;
  const stop = async () => {
    agent.destroy();
    if (server) await closeServer(server, 1000);
    await dynamodb.stop();
  };
  try {
    applyLocalAwsEnv({ endpoint: dynamodb.endpoint, tableName: tables[0]! });
    const admin = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
    // No streams: the benchmarks measure the request path, and DynamoDB Local slows writes to
    // tables with streams as more of them hold records (local/bootstrap.ts); AWS does not.
    for (const t of tables) await ensureTable(admin, t, { stream: false });
    admin.destroy();
    const handlers = await loadRouteHandlers();
    // Imported after the environment is set: these modules build the client from it. Another
    // benchmark in this process may have made the client for its own DynamoDB Local.
    const { createDocumentClient, setDocumentClient } = await import('../functions/commons/dynamodb.js');
    setDocumentClient(createDocumentClient(dynamodb.endpoint));
    const { forgetCatalog } = await import('../functions/use-cases/catalog-cache.js');
    // The same goes for the products and stock the handlers remember.
    forgetCatalog();
    server = createLocalHttpServer({ handlers, log: { request: () => {}, error: (m, e) => console.error(m, e) } });
    const base = await listenOnLoopback(server, 0);
    return {
      dynamodb,
      call: (method, path, body, headers) => httpJson(agent, base, method, path, body, headers),
      useTable: (name) => {
        process.env.TABLE_NAME = name;
        forgetCatalog();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function httpJson(
  agent: Agent,
  base: string,
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          ...extraHeaders,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
