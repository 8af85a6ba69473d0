/**
 * The version GET /health and the OpenAPI document report. In AWS the stack sets SERVICE_VERSION
 * from package.json (infra/constructs/functions.ts); under `npm start` and in tests it is read
 * from package.json itself, so there is no second copy to forget.
 */
import packageJson from '../../package.json' with { type: 'json' };

export const SERVICE_VERSION: string = process.env.SERVICE_VERSION || packageJson.version;
