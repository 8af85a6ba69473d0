/**
 * Deployment settings, read from CDK context (`cdk.json`, or `-c key=value` on the command line).
 * Every setting has a safe default, so `npx cdk synth` works with no context at all; every value
 * is validated here, so a typo fails the synth with a message instead of a broken deployment.
 *
 * | context key                  | default               | meaning                                           |
 * | ---------------------------- | --------------------- | ------------------------------------------------- |
 * | stage                        | dev                   | name of the deployment; `prod` protects the data  |
 * | corsOrigins                  | (none)                | comma-separated origins allowed by CORS           |
 * | alarmEmail                   | (none)                | e-mail subscribed to the alarm topic              |
 * | restockEventSource           | fulfillment.restock   | the only EventBridge `source` accepted for Restock |
 * | oldestBackorderAlarmSeconds  | 900                   | alarm when an order has waited longer than this   |
 * | logRetentionDays             | 30 (prod: 365)        | retention of function and access logs             |
 * | logLevel                     | INFO                  | LOG_LEVEL of the functions                        |
 * | apiRateLimit / apiBurstLimit | 100 / 200             | default-stage throttling of the HTTP API          |
 * | protectData                  | true in prod only     | deletion protection + RETAIN on the table         |
 * | authDomainPrefix             | fulfillment-<stage>-<account> | Cognito hosted domain of the token endpoint |
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface Settings {
  readonly stage: string;
  readonly corsOrigins: readonly string[];
  readonly alarmEmail?: string;
  readonly restockEventSource: string;
  readonly oldestBackorderAlarmSeconds: number;
  readonly logRetention: RetentionDays;
  readonly logLevel: LogLevel;
  readonly apiRateLimit: number;
  readonly apiBurstLimit: number;
  readonly protectData: boolean;
  /** Prefix of `<prefix>.auth.<region>.amazoncognito.com`; absent: derived from stage and account. */
  readonly authDomainPrefix?: string;
}

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Anything that can answer `tryGetContext`: an App, a Stack, or any construct's node. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

export class SettingsError extends Error {
  constructor(key: string, problem: string) {
    super(`Invalid CDK context "${key}": ${problem}`);
    this.name = 'SettingsError';
  }
}

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;
// An EventBridge source is free text, but `aws.` sources are reserved for AWS services.
const EVENT_SOURCE_PATTERN = /^(?!aws\.)[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;
const ORIGIN_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
// Cognito's rule for hosted-domain prefixes; it also refuses the reserved words below.
const DOMAIN_PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_IN_DOMAIN_PREFIX = /aws|amazon|cognito/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function settingsFromContext(context: ContextSource): Settings {
  const stage = text(context, 'stage') ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw new SettingsError(
      'stage',
      `"${stage}" must be lower-case letters, digits and dashes, starting with a letter (max 20)`,
    );
  }
  const prod = stage === 'prod';

  const corsOrigins = list(context, 'corsOrigins');
  for (const origin of corsOrigins) {
    // A wildcard would make the allow-list meaningless; list the real front-end origins instead.
    if (!ORIGIN_PATTERN.test(origin)) {
      throw new SettingsError(
        'corsOrigins',
        `"${origin}" is not an origin like https://ops.example.com (no path, no wildcard)`,
      );
    }
  }

  const alarmEmail = text(context, 'alarmEmail');
  if (alarmEmail !== undefined && !EMAIL_PATTERN.test(alarmEmail)) {
    throw new SettingsError('alarmEmail', `"${alarmEmail}" is not an e-mail address`);
  }

  const restockEventSource = text(context, 'restockEventSource') ?? 'fulfillment.restock';
  if (!EVENT_SOURCE_PATTERN.test(restockEventSource)) {
    throw new SettingsError(
      'restockEventSource',
      `"${restockEventSource}" must be a plain source name such as fulfillment.restock and not start with "aws."`,
    );
  }

  const logLevel = (text(context, 'logLevel') ?? 'INFO').toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new SettingsError('logLevel', `"${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  }

  const retentionDays = integer(context, 'logRetentionDays', prod ? 365 : 30, 1);
  const allowedRetention = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowedRetention.includes(retentionDays)) {
    throw new SettingsError(
      'logRetentionDays',
      `${retentionDays} is not a CloudWatch Logs retention (${allowedRetention.join(', ')})`,
    );
  }

  const apiRateLimit = integer(context, 'apiRateLimit', 100, 1);
  const apiBurstLimit = integer(context, 'apiBurstLimit', 200, 1);
  if (apiBurstLimit < apiRateLimit) {
    // API Gateway accepts it, but a bucket smaller than one second of traffic throttles steady load.
    throw new SettingsError('apiBurstLimit', `${apiBurstLimit} is below apiRateLimit ${apiRateLimit}`);
  }

  const authDomainPrefix = text(context, 'authDomainPrefix');
  if (
    authDomainPrefix !== undefined &&
    (!DOMAIN_PREFIX_PATTERN.test(authDomainPrefix) || RESERVED_IN_DOMAIN_PREFIX.test(authDomainPrefix))
  ) {
    throw new SettingsError(
      'authDomainPrefix',
      `"${authDomainPrefix}" must be lower-case letters, digits and inner dashes (max 63), without "aws", "amazon" or "cognito"`,
    );
  }

  return {
    stage,
    corsOrigins,
    ...(authDomainPrefix === undefined ? {} : { authDomainPrefix }),
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    restockEventSource,
    oldestBackorderAlarmSeconds: integer(context, 'oldestBackorderAlarmSeconds', 900, 60),
    logRetention: retentionDays as RetentionDays,
    logLevel: logLevel as LogLevel,
    apiRateLimit,
    apiBurstLimit,
    protectData: boolean(context, 'protectData', prod),
  };
}

// Context values arrive as strings from `-c key=value` and as JSON values from cdk.json;
// an empty string means "not set", so CI can pass `-c alarmEmail=${{ vars.ALARM_EMAIL }}` unconditionally.
function text(context: ContextSource, key: string): string | undefined {
  const value = context.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SettingsError(key, `expected a string, got ${JSON.stringify(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function list(context: ContextSource, key: string): string[] {
  const value = context.tryGetContext(key);
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : undefined;
  if (items === undefined || !items.every((item) => typeof item === 'string')) {
    throw new SettingsError(
      key,
      `expected a comma-separated string or an array of strings, got ${JSON.stringify(value)}`,
    );
  }
  return [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
}

function integer(context: ContextSource, key: string, fallback: number, min: number): number {
  const value = context.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < min) {
    throw new SettingsError(key, `expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function boolean(context: ContextSource, key: string, fallback: boolean): boolean {
  const value = context.tryGetContext(key);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new SettingsError(key, `expected true or false, got ${JSON.stringify(value)}`);
}
