/**
 * `enableConcurrentInvocations` (local/handler-loader.ts) must run before the process's first
 * AWS SDK call, which creates the InvokeStore with one context for the whole process; called
 * too late, it says so instead of letting concurrent requests share their log keys unnoticed.
 */
import { expect, it } from 'vitest';
import { enableConcurrentInvocations } from '../../local/handler-loader.js';
import { createTestTable } from '../support/dynamodb.js';

it('refuses to enable concurrent invocations after the AWS SDK has made the InvokeStore', async () => {
  await createTestTable('late-concurrency'); // DynamoDB calls: the SDK creates the InvokeStore now
  await expect(enableConcurrentInvocations()).rejects.toThrow(/before anything uses the AWS SDK/);
});
