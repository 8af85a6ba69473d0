/**
 * Imports the real Lambda handlers from functions/handlers/<name>.ts (each exports `handler`).
 * Import them only after local-aws-env has set TABLE_NAME and DYNAMODB_ENDPOINT: handler
 * modules read those when they load.
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
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

export function loadBackgroundHandler(name: BackgroundHandlerName): Promise<ScheduledHandler> {
  return importHandler<ScheduledHandler>(name);
}

async function importHandler<T>(name: string): Promise<T> {
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
  return module.handler as T;
}
