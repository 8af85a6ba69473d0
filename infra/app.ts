/**
 * CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs this file with tsx).
 * Settings come from context (see infra/settings.ts). cdk-nag's AwsSolutions pack runs as a CDK
 * validation plugin on every synth: an unacknowledged finding fails the synth (and so the deploy)
 * before anything reaches AWS.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FulfillmentStack, stackName } from './fulfillment-stack.js';
import { settingsFromContext } from './settings.js';

const app = new App();
const settings = settingsFromContext(app.node);

// No env: the stack is environment-agnostic, so synth needs no credentials and deploy targets
// whatever account and region the caller's credentials (or CDK_DEFAULT_*) name.
new FulfillmentStack(app, stackName(settings), { settings });

Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
