/**
 * The service's Lambda functions: one per handler file, each with the DynamoDB access listed for
 * it in infra/permissions.ts and nothing more.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { FUNCTION_NAMES, FUNCTION_SIZING, type FunctionName } from '../handlers.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../metrics.js';
import { TABLE_ACCESS } from '../permissions.js';
import type { Settings } from '../settings.js';
import { FulfillmentFunction, REPO_ROOT } from './fulfillment-function.js';

/** The version in package.json, reported by GET /health. */
const SERVICE_VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

export interface FunctionsProps {
  readonly settings: Settings;
  readonly table: ITableV2;
  /** Tests only; see FulfillmentFunctionProps.placeholderCode. */
  readonly placeholderCode?: boolean;
}

/** Environment of one handler (docs/deploy.md lists what each variable is for). */
export function functionEnvironment(name: FunctionName, settings: Settings, table: ITableV2): Record<string, string> {
  const drainBudget = FUNCTION_SIZING[name].drainBudget;
  return {
    TABLE_NAME: table.tableName,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    STAGE: settings.stage,
    LOG_LEVEL: settings.logLevel,
    // Only process-restock acts on it, but every handler gets it so a shared configuration
    // module never finds a variable missing in one function.
    RESTOCK_EVENT_SOURCE: settings.restockEventSource,
    SERVICE_VERSION,
    ...(drainBudget ? { DRAIN_BUDGET_MS: String(drainBudget.toMilliseconds()) } : {}),
    // DYNAMODB_ENDPOINT is deliberately absent: it points the handlers at DynamoDB Local.
  };
}

export class Functions extends Construct {
  readonly byName: Readonly<Record<FunctionName, FulfillmentFunction>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const byName = {} as Record<FunctionName, FulfillmentFunction>;
    for (const name of FUNCTION_NAMES) {
      const fn = new FulfillmentFunction(this, pascalCase(name), {
        name,
        environment: functionEnvironment(name, props.settings, props.table),
        logRetention: props.settings.logRetention,
        logRemovalPolicy: props.settings.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        ...(props.placeholderCode ? { placeholderCode: true } : {}),
      });
      fn.grantTableAccess(props.table, TABLE_ACCESS[name]);
      byName[name] = fn;
    }
    this.byName = byName;
  }

  get all(): FulfillmentFunction[] {
    return Object.values(this.byName);
  }
}

/** `process-restock` -> `ProcessRestock`, for readable construct ids and logical ids. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
