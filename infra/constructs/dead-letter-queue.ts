/**
 * A dead-letter queue as the stack keeps them all: encrypted, TLS only, 14 days (the SQS maximum:
 * time to fix the cause and redrive), kept when a protected stack is deleted (its messages are work
 * not yet done). It has no dead-letter queue of its own (cdk-nag SQS3): that would only hide
 * messages further from the alarm that watches this one.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export function deadLetterQueue(
  scope: Construct,
  id: string,
  { protectData, deadLetterOf }: { protectData: boolean; deadLetterOf: string },
): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of ${deadLetterOf}; a DLQ of a DLQ would only hide messages further from the alarm that watches this one.`,
  });
  return queue;
}
