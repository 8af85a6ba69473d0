/**
 * The service's state: the one DynamoDB table, built from the same definition the local stack
 * creates on DynamoDB Local (`createTableInput` in functions/store/table-definition.ts), so keys,
 * indexes and projections cannot drift between the laptop and AWS.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
  type Attribute,
  type GlobalSecondaryIndexPropsV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { createTableInput, TTL_ATTRIBUTE } from '../../functions/store/table-definition.js';

export interface DataProps {
  /** Deletion protection and RETAIN: the table survives `cdk destroy` and accidental deletes. */
  readonly protectData: boolean;
}

export class Data extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const definition = tablePropsFromDefinition();

    this.table = new TableV2(this, 'Table', {
      ...definition,
      // The stream feeds the outbound event publisher (infra/constructs/outbound-events.ts).
      // On-demand: no capacity to plan, and bursts of restocks or orders are absorbed by DynamoDB.
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Idempotency records (restocks) carry an expiry; DynamoDB deletes them after it, for free.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      /*
       * Encrypted at rest with the AWS managed key (aws/dynamodb): every use shows in CloudTrail,
       * and nothing has to be granted or rotated by hand. A customer managed key would add
       * key-policy control, but also a per-function kms grant and the risk that disabling or
       * deleting the key makes the stock records unreadable; switch to
       * TableEncryptionV2.customerManagedKey if a regulator asks for your own key.
       */
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: props.protectData,
      removalPolicy: props.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}

/** Keys and indexes of the TableV2, translated from the CreateTable input the local stack uses. */
export function tablePropsFromDefinition(): {
  partitionKey: Attribute;
  sortKey?: Attribute;
  globalSecondaryIndexes: GlobalSecondaryIndexPropsV2[];
  dynamoStream?: StreamViewType;
} {
  const input = createTableInput('definition');
  const attribute = (name: string | undefined): Attribute => {
    const definition = input.AttributeDefinitions?.find((a) => a.AttributeName === name);
    if (!name || !definition?.AttributeType) throw new Error(`table-definition: attribute ${name} has no definition`);
    const type = { S: AttributeType.STRING, N: AttributeType.NUMBER, B: AttributeType.BINARY }[
      definition.AttributeType
    ];
    return { name, type };
  };
  const keyOf = (schema: typeof input.KeySchema, keyType: 'HASH' | 'RANGE') =>
    schema?.find((k) => k.KeyType === keyType)?.AttributeName;

  const sortKeyName = keyOf(input.KeySchema, 'RANGE');
  const stream = input.StreamSpecification?.StreamEnabled ? input.StreamSpecification.StreamViewType : undefined;
  return {
    partitionKey: attribute(keyOf(input.KeySchema, 'HASH')),
    ...(sortKeyName ? { sortKey: attribute(sortKeyName) } : {}),
    ...(stream
      ? {
          dynamoStream: {
            NEW_IMAGE: StreamViewType.NEW_IMAGE,
            OLD_IMAGE: StreamViewType.OLD_IMAGE,
            NEW_AND_OLD_IMAGES: StreamViewType.NEW_AND_OLD_IMAGES,
            KEYS_ONLY: StreamViewType.KEYS_ONLY,
          }[stream],
        }
      : {}),
    globalSecondaryIndexes: (input.GlobalSecondaryIndexes ?? []).map((index) => {
      const indexSortKey = keyOf(index.KeySchema, 'RANGE');
      const projection = index.Projection?.ProjectionType ?? 'ALL';
      return {
        indexName: index.IndexName!,
        partitionKey: attribute(keyOf(index.KeySchema, 'HASH')),
        ...(indexSortKey ? { sortKey: attribute(indexSortKey) } : {}),
        projectionType: {
          ALL: ProjectionType.ALL,
          KEYS_ONLY: ProjectionType.KEYS_ONLY,
          INCLUDE: ProjectionType.INCLUDE,
        }[projection],
        ...(index.Projection?.NonKeyAttributes ? { nonKeyAttributes: index.Projection.NonKeyAttributes } : {}),
      };
    }),
  };
}
