/**
 * Forces an interleaving at the DynamoDB client: another request runs at the exact moment that
 * matters (DynamoDB Local answers too fast for races to happen by chance).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, setDocumentClient } from '../../functions/commons/dynamodb.js';

/** Runs `meanwhile` once, just before the first DynamoDB command that `matches` is sent. */
export function beforeCommand(matches: (command: any) => boolean, meanwhile: () => Promise<unknown>): void {
  const real = documentClient();
  let fired = false;
  const proxy = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: any, ...rest: any[]) => {
        if (!fired && matches(command)) {
          fired = true;
          setDocumentClient(real);
          try {
            await meanwhile();
          } finally {
            setDocumentClient(proxy as DynamoDBDocumentClient);
          }
        }
        return (real.send as any)(command, ...rest);
      };
    },
  });
  setDocumentClient(proxy as DynamoDBDocumentClient);
}

/** Runs `meanwhile` once, just before the first transaction that `matches` is sent. */
export function beforeTransaction(matches: (items: any[]) => boolean, meanwhile: () => Promise<unknown>): void {
  beforeCommand((c) => c instanceof TransactWriteCommand && matches(c.input.TransactItems ?? []), meanwhile);
}
