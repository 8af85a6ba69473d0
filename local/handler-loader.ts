/**
 * Imports the real Lambda handlers from functions/handlers/<name>.ts (each exports `handler`).
 * Import them only after local-aws-env has set TABLE_NAME and DYNAMODB_ENDPOINT: handler
 * modules read those when they load.
 *
 * With concurrent invocations enabled (`enableConcurrentInvocations`, as `npm start` does), it
 * also plays the part Lambda's runtime plays for a function that serves several invocations at
 * once (Lambda Managed Instances): the InvokeStore exists before any handler module loads, and
 * each invocation runs in its own InvokeStore context, where Powertools keeps that invocation's
 * log keys, Lambda context, metrics and trace segment. Without it, concurrent requests in this
 * one process would share them (one request's lines carrying another's correlation_id).
 */
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { type backgroundHandlers, routes, type HandlerName } from '../functions/routes.js';
import type { HttpApiHandler, HttpApiHandlers } from './http-server.js';

export type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;
export type BackgroundHandlerName = (typeof backgroundHandlers)[number];

/** One handler per distinct name in the route table. */
export async function loadRouteHandlers(): Promise<HttpApiHandlers> {
  const names = [...new Set(routes.map((route) => route.handler))];
  const entries = await Promise.all(
    names.map(async (name) => [name, await importHandler<HttpApiHandler>(name)] as const),
  );
  return Object.fromEntries(entries) as Record<HandlerName, HttpApiHandler>;
}

/** The stream-fed publisher of outbound events (npm start runs its use case itself: local/event-stream.ts). */
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

export function loadBackgroundHandler(name: 'sweeper'): Promise<ScheduledHandler>;
export function loadBackgroundHandler(name: 'publish-events'): Promise<StreamHandler>;
export function loadBackgroundHandler(name: BackgroundHandlerName): Promise<ScheduledHandler | StreamHandler> {
  return importHandler(name);
}

/**
 * Declares that this process runs invocations concurrently, as Lambda does when it sets
 * AWS_LAMBDA_MAX_CONCURRENCY (Powertools and the InvokeStore read only whether it is set; the
 * local server sets no limit of its own), and creates the InvokeStore for it. Call it before
 * anything in the process uses the AWS SDK: the SDK creates the InvokeStore on its first call,
 * one context for the whole process unless this variable is already set.
 */
export async function enableConcurrentInvocations(): Promise<void> {
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
  const store = await InvokeStore.getInstanceAsync();
  if (!(await keepsContextsApart(store))) {
    throw new Error(
      'The InvokeStore was created with one context for the whole process (an AWS SDK call came first): ' +
        'call enableConcurrentInvocations() before anything uses the AWS SDK',
    );
  }
}

/** Whether two overlapping runs each see their own context (they do not with a single one). */
async function keepsContextsApart(store: InvokeStoreBase): Promise<boolean> {
  const key = Symbol('probe');
  const seen = await Promise.all(
    [1, 2].map((n) =>
      store.run({ [key]: n }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return store.get(key);
      }),
    ),
  );
  return seen[0] === 1 && seen[1] === 2;
}

type AnyHandler = (event: never, context: Context) => Promise<unknown>;

async function importHandler<T>(name: string): Promise<T> {
  // Before the module loads: Powertools reads the store as soon as the logger is used.
  const store = process.env.AWS_LAMBDA_MAX_CONCURRENCY ? await InvokeStore.getInstanceAsync() : undefined;
  const file = new URL(`../functions/handlers/${name}.ts`, import.meta.url);
  let module: { handler?: unknown };
  try {
    module = (await import(file.href)) as { handler?: unknown };
  } catch (error) {
    throw new Error(
      `Cannot load the ${name} handler from ${file.pathname}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (typeof module.handler !== 'function') {
    throw new Error(`${file.pathname} must export a function named \`handler\``);
  }
  const handler = module.handler as AnyHandler;
  if (!store) return handler as T;
  const inOwnContext: AnyHandler = (event, context) =>
    store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: context.awsRequestId }, () => handler(event, context));
  return inOwnContext as T;
}
