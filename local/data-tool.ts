/**
 * What `npm run export` and `npm run import` share: where the table is, and how they end.
 *
 * Where: by default the tools start their own DynamoDB Local on <repo>/.data/ (the files
 * `npm start` keeps), which the data-directory lock refuses while `npm start` runs on them;
 * `--endpoint URL` talks to any reachable DynamoDB Local instead (e.g. the one a running
 * `npm start --in-memory` prints), with the same fake credentials as the rest of local/.
 * `--aws` talks to DynamoDB in AWS with the usual credentials and region (AWS_PROFILE,
 * AWS_REGION, ...), for the point-in-time restore of docs/runbook.md; it needs `--table`, and
 * never creates a table (the stack owns it).
 * Table: `--table NAME`, else TABLE_NAME, else fulfillment-local (like `npm start`).
 *
 * Exit codes: 0 done; 1 failed (e.g. unreachable endpoint, a write error); 2 bad command line;
 * 3 refused, nothing written (bad or foreign file, table not empty, data directory in use,
 * output file exists, no local data to export).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DataDirInUseError } from './data-dir-lock.js';
import { DataFileError } from './data-file.js';
import { type DynamoDBLocal, startDynamoDBLocal } from './dynamodb-local.js';
import { DEFAULT_LOCAL_TABLE_NAME, localClientConfig } from './local-aws-env.js';
import { Refusal } from './table-copy.js';

export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.data/', import.meta.url));

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

export { Refusal };
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Target {
  client: DynamoDBClient;
  tableName: string;
  /** Whether an import may create the table when it is absent (not in AWS). */
  mayCreateTable: boolean;
  /** For messages: `table fulfillment-local in /repo/.data/` or `... at http://127.0.0.1:8000`. */
  description: string;
  close(): Promise<void>;
}

export interface TargetOptions {
  endpoint?: string;
  /** DynamoDB in AWS, with the default credential chain and region. */
  aws?: boolean;
  dataDir?: string;
  table?: string;
  /** Export: refuse when the data directory does not exist (instead of starting on nothing). */
  dataMustExist: boolean;
}

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The options both tools take: where the table is, and --help. */
const TARGET_OPTIONS = {
  endpoint: { type: 'string' },
  aws: { type: 'boolean', default: false },
  'data-dir': { type: 'string' },
  table: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

/** Parses a tool's command line: its own options plus the shared ones; a bad one is a UsageError (exit 2). */
export function parseToolArgs<const Own extends ParseArgsOptionsConfig>(
  own: Own,
  args: readonly string[] = process.argv.slice(2),
) {
  try {
    const options = { ...TARGET_OPTIONS, ...own };
    return parseArgs({ args: [...args], options, allowPositionals: true as const });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The shared options as `openTarget` takes them. */
export function targetOf(values: {
  endpoint?: string;
  aws?: boolean;
  'data-dir'?: string;
  table?: string;
}): Omit<TargetOptions, 'dataMustExist'> {
  return { endpoint: values.endpoint, aws: values.aws, dataDir: values['data-dir'], table: values.table };
}

export function tableNameFrom(option: string | undefined): string {
  return option || process.env.TABLE_NAME || DEFAULT_LOCAL_TABLE_NAME;
}

/**
 * `npm run x -- file` runs with the package root as cwd; resolve relative paths against the
 * directory the user typed the command in (INIT_CWD), as they would expect.
 */
export function userPath(path: string): string {
  return isAbsolute(path) ? path : resolve(process.env.INIT_CWD || process.cwd(), path);
}

/** Where the table is, as the shared options name it. */
export type Place =
  | { kind: 'aws'; tableName: string }
  | { kind: 'endpoint'; endpoint: string; tableName: string }
  | { kind: 'data-dir'; dataDir: string; tableName: string };

/**
 * Where the options put the table, without opening anything: a contradiction or a missing
 * part is a UsageError (exit 2). The data directory defaults to <repo>/.data/.
 */
export function placeOf(options: Omit<TargetOptions, 'dataMustExist'>): Place {
  const tableName = tableNameFrom(options.table);
  const places = [options.endpoint !== undefined, options.dataDir !== undefined, options.aws === true].filter(
    Boolean,
  ).length;
  if (places > 1) throw new UsageError('use only one of --endpoint, --data-dir and --aws');
  if (options.aws) {
    // No default table in AWS: the live table's name is a stack output, and a guess could be another stage's.
    if (!options.table)
      throw new UsageError('--aws needs --table NAME (the TableName output of the stack, or a restored table)');
    return { kind: 'aws', tableName };
  }
  if (options.endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(options.endpoint);
    } catch {
      throw new UsageError(`--endpoint must be a URL such as http://127.0.0.1:8000, got "${options.endpoint}"`);
    }
    return { kind: 'endpoint', endpoint: url.toString().replace(/\/$/, ''), tableName };
  }
  return { kind: 'data-dir', dataDir: resolve(options.dataDir ?? DEFAULT_DATA_DIR), tableName };
}

export async function openTarget(options: TargetOptions): Promise<Target> {
  const place = placeOf(options);
  const { tableName } = place;
  if (place.kind === 'aws') {
    const client = new DynamoDBClient(awsClientConfig());
    const region = await client.config.region();
    return {
      client,
      tableName,
      mayCreateTable: false,
      description: `table ${tableName} in AWS (${region})`,
      close: async () => client.destroy(),
    };
  }
  if (place.kind === 'endpoint') {
    const client = new DynamoDBClient({ ...localClientConfig(place.endpoint), maxAttempts: 3 });
    return {
      client,
      tableName,
      mayCreateTable: true,
      description: `table ${tableName} at ${options.endpoint}`,
      close: async () => client.destroy(),
    };
  }

  const { dataDir } = place;
  if (options.dataMustExist && !existsSync(dataDir)) {
    throw new Refusal(
      `There is no local data in ${dataDir} (it does not exist). Has \`npm start\` (without --in-memory) ever run here?`,
    );
  }
  let dynamodb: DynamoDBLocal;
  try {
    dynamodb = await startDynamoDBLocal({ dataDir });
  } catch (error) {
    if (error instanceof DataDirInUseError) {
      throw new Refusal(
        `${error.message}\nWhile \`npm start\` runs you can use its DynamoDB Local instead: add --endpoint <the URL it printed at start-up>.`,
      );
    }
    throw error;
  }
  const client = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
  return {
    client,
    tableName,
    mayCreateTable: true,
    description: `table ${tableName} in ${dataDir}`,
    close: async () => {
      client.destroy();
      await dynamodb.stop();
    },
  };
}

/**
 * DynamoDB in AWS: endpoint, region and credentials from the SDK's default chain (environment,
 * profile, SSO, instance role), never the fake local ones. More attempts than the service's
 * functions: a bulk copy meets throttling on a cold on-demand table, and may wait for it.
 */
export function awsClientConfig(): DynamoDBClientConfig {
  return { maxAttempts: 10 };
}

/** The exit code for what a tool's main threw (see the header). */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof Refusal || error instanceof DataFileError) return EXIT.refused;
  return EXIT.failed;
}

/** Runs a tool's main and turns what it throws into a message and an exit code. */
export async function runTool(main: () => Promise<void>): Promise<never> {
  try {
    await main();
    process.exit(EXIT.ok);
  } catch (error) {
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === EXIT.usage) console.error(`${message}\n(see --help)`);
    else if (code === EXIT.refused) console.error(`Refused, nothing was written: ${message}`);
    else console.error(`Failed: ${message}`);
    process.exit(code);
  }
}
