/**
 * GET /console: the operators' console (SPEC v2), one self-contained HTML page built once per
 * process. The page itself holds no data and is public; every call it makes goes to the API
 * with the operator's token and the route's scope, like any other client.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { SERVICE_VERSION } from '../commons/service-version.js';
import { consoleCsp, parseConsoleSignIn, renderConsolePage } from '../http/console/console-page.js';
import { apiHandler } from '../http/api-handler.js';
import { SECURITY_HEADERS } from '../http/responses.js';

// In AWS the stack sets how operators sign in (Cognito, authorization code with PKCE).
const signIn = parseConsoleSignIn(process.env.CONSOLE_SIGN_IN);
const page = renderConsolePage(SERVICE_VERSION, signIn);
const headers = {
  ...SECURITY_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': consoleCsp(signIn),
  'referrer-policy': 'no-referrer',
};

export const handler = apiHandler(
  async (): Promise<APIGatewayProxyStructuredResultV2> => ({ statusCode: 200, headers, body: page }),
);
