/**
 * A `NodejsFunction` with the house defaults, so every handler is built and run the same way:
 * Node.js 22 on arm64 (cheaper per GB-second, faster cold starts), X-Ray tracing, its own
 * LogGroup with retention (no LogRetention custom resource), its own role that may write only
 * to that LogGroup, and an ESM bundle made by esbuild with source maps turned on at run time.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLE_SETTINGS } from '../bundling.js';
import { FUNCTION_SIZING, handlerEntry, type FunctionName } from '../handlers.js';
import type { TableAccess } from '../permissions.js';

/** The repository root: esbuild's project root and the base of every handler's entry path. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;

export interface FulfillmentFunctionProps {
  /** The handler file `functions/handlers/<name>.ts`; also sets memory, timeout and description. */
  readonly name: FunctionName;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** RETAIN in protected stages, so logs outlive a torn-down stack. */
  readonly logRemovalPolicy: RemovalPolicy;
  /**
   * Tests only: deploy a placeholder instead of bundling the handler with esbuild. Assertion tests
   * inspect the template, not the code, and bundling seven handlers on every synth is slow; the
   * handlers are bundled for real by test/infra/bundle.test.ts and by `npm run synth`.
   * Not reachable from CDK context, so no placeholder can be deployed by accident.
   */
  readonly placeholderCode?: boolean;
}

export class FulfillmentFunction extends NodejsFunction {
  readonly handlerName: FunctionName;

  constructor(scope: Construct, id: string, props: FulfillmentFunctionProps) {
    super(scope, id, FulfillmentFunction.houseDefaults(scope, id, props));
    this.handlerName = props.name;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the handlers are built for (esbuild target node22) and tested on in CI; moving to a newer runtime is a deliberate change made together with those two, not a side effect of a CDK upgrade.',
    });
    Validations.of(this.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; the wildcard is limited to that statement (DynamoDB statements name the table and its indexes).',
    });
  }

  /**
   * Grants exactly the DynamoDB actions of `access` (see infra/permissions.ts): on the table ARN,
   * and `dynamodb:Query` on `<table arn>/index/<name>` for each index the function queries.
   * Deliberately not `table.grant(...)`, which adds `<table arn>/index/*` for every grant.
   */
  grantTableAccess(table: ITableV2, access: TableAccess): void {
    if (access.table.length > 0) {
      this.addToRolePolicy(new iam.PolicyStatement({ actions: [...access.table], resources: [table.tableArn] }));
    }
    if (access.queriesIndexes.length > 0) {
      this.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: access.queriesIndexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
  }

  /** Builds the NodejsFunction props; the LogGroup and role are created beside the function. */
  private static houseDefaults(scope: Construct, id: string, props: FulfillmentFunctionProps): NodejsFunctionProps {
    const sizing = FUNCTION_SIZING[props.name];

    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });

    // An explicit role instead of the default one with AWSLambdaBasicExecutionRole, whose
    // logs:* on every log group is more than a function needs. DynamoDB statements are added
    // from infra/permissions.ts, X-Ray's by `tracing`.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.name} function`,
    });
    logGroup.grantWrite(role);

    const common: NodejsFunctionProps = {
      description: sizing.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: sizing.memorySize,
      timeout: sizing.timeout,
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        ...props.environment,
        // Stack traces point at the TypeScript sources through the bundled source maps.
        NODE_OPTIONS: '--enable-source-maps',
      },
    };

    if (props.placeholderCode) {
      return {
        ...common,
        code: Code.fromInline(
          'exports.handler = async () => { throw new Error("placeholder code from an infra test"); };',
        ),
        handler: 'index.handler',
      };
    }

    const entry = path.join(REPO_ROOT, handlerEntry(props.name));
    if (!existsSync(entry)) {
      throw new Error(
        `Handler ${handlerEntry(props.name)} does not exist: every function in infra/handlers.ts needs one (it must export "handler").`,
      );
    }
    return {
      ...common,
      entry,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: BUNDLE_SETTINGS.sourceMap,
        sourcesContent: BUNDLE_SETTINGS.sourcesContent,
        keepNames: BUNDLE_SETTINGS.keepNames,
        target: BUNDLE_SETTINGS.target,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        banner: BUNDLE_SETTINGS.banner,
        externalModules: [...BUNDLE_SETTINGS.externalModules],
        tsconfig: path.join(REPO_ROOT, 'tsconfig.json'),
      },
    };
  }
}
