/**
 * A Lambda `context` for local invocations. Handlers that budget their work by
 * `getRemainingTimeInMillis()` (the restock drain, the sweeper) see a real deadline.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID } from './api-gateway-event.js';
import { LOCAL_REGION } from './local-aws-env.js';

/** API Gateway HTTP API gives up after 30 s, so the deployed functions stop just before. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 29_000;

export function createLambdaContext(functionName: string, timeoutMs = DEFAULT_HANDLER_TIMEOUT_MS): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is the deprecated callback API; return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
