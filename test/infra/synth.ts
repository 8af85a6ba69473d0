/**
 * Synthesizes the stack for the assertion tests: with the context of cdk.json (feature flags
 * included, so tests see the template `npm run synth` produces) plus overrides, and with
 * placeholder code instead of esbuild bundles (bundling is tested in bundle.test.ts).
 */
import { readFileSync } from 'node:fs';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FulfillmentStack, stackName } from '../../infra/fulfillment-stack.js';
import { settingsFromContext } from '../../infra/settings.js';

export const CDK_JSON = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export interface Synthesized {
  stack: FulfillmentStack;
  template: Template;
  /** The template as plain JSON, for walking every resource. */
  json: {
    Resources: Record<
      string,
      { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }
    >;
    Outputs: Record<string, any>;
  };
  logicalId(construct: { node: { defaultChild?: unknown } }): string;
}

export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  // The built-in CloudFormation schema validation compiles a WASM module on first use (seconds,
  // more on a busy CI runner); `npm run synth` runs it on every template, so the assertions skip it.
  const app = new App({ context: { ...CDK_JSON.context, ...context }, builtinCloudFormationValidation: false });
  const settings = settingsFromContext(app.node);
  const stack = new FulfillmentStack(app, stackName(settings), { settings, placeholderCode: true });
  const template = Template.fromStack(stack);
  return {
    stack,
    template,
    json: template.toJSON() as Synthesized['json'],
    logicalId: (construct) => Stack.of(stack).getLogicalId(construct.node.defaultChild as CfnResource),
  };
}

/** Resources of one type, as [logicalId, resource] pairs. */
export function resourcesOfType(synth: Synthesized, type: string) {
  return Object.entries(synth.json.Resources).filter(([, resource]) => resource.Type === type);
}

/** `{"Fn::GetAtt": [id, "Arn"]}` / `{Ref: id}` -> id. */
export function referencedId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    if (Array.isArray(v['Fn::GetAtt'])) return v['Fn::GetAtt'][0] as string;
  }
  return undefined;
}
