/**
 * The service's Lambda functions: one per handler file, each with the DynamoDB access listed for
 * it in infra/permissions.ts and nothing more.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { FUNCTION_NAMES, type FunctionName } from '../handlers.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../metrics.js';
import { TABLE_ACCESS } from '../permissions.js';
import type { Settings } from '../settings.js';
import { FulfillmentFunction } from './fulfillment-function.js';

export interface FunctionsProps {
  readonly settings: Settings;
  readonly table: ITableV2;
  /** Tests only; see FulfillmentFunctionProps.placeholderCode. */
  readonly placeholderCode?: boolean;
}

/** Environment every handler receives (see docs/deploy.md for what each one is for). */
export function functionEnvironment(settings: Settings, table: ITableV2): Record<string, string> {
  return {
    TABLE_NAME: table.tableName,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    STAGE: settings.stage,
    LOG_LEVEL: settings.logLevel,
    // Only process-restock acts on it, but every handler gets the same environment so a shared
    // configuration module never finds a variable missing in one function.
    RESTOCK_EVENT_SOURCE: settings.restockEventSource,
    // DYNAMODB_ENDPOINT is deliberately absent: it points the handlers at DynamoDB Local.
  };
}

export class Functions extends Construct {
  readonly byName: Readonly<Record<FunctionName, FulfillmentFunction>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const environment = functionEnvironment(props.settings, props.table);

    const byName = {} as Record<FunctionName, FulfillmentFunction>;
    for (const name of FUNCTION_NAMES) {
      const fn = new FulfillmentFunction(this, pascalCase(name), {
        name,
        environment,
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
