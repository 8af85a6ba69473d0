/**
 * `npm start -- --auth`: the local gateway checks bearer tokens the way the HTTP API's JWT
 * authorizer does in AWS (signature, issuer, expiry, then the route's scope), with development
 * tokens it signs itself. The signing key is random per start and never written anywhere, so
 * a token works only until the server stops: restarting is how a local token is rotated.
 *
 * Tokens look like Cognito access tokens: `scope` holds space-separated `fulfillment/<scope>`
 * names and `client_id` names the app client, so code and curl commands tried locally work
 * the same against AWS.
 */
import { randomBytes } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { qualifiedScope } from '../functions/api-clients.js';
import type { AccessScope } from '../functions/routes.js';

const ISSUER = 'fulfillment-local';
const ALGORITHM = 'HS256';
const TOKEN_LIFETIME = '12h';

export type AuthDecision =
  | { allowed: true; claims: JWTPayload; scopes: string[] }
  | { allowed: false; status: 401 | 403; detail: string; wwwAuthenticate: string };

export interface DevAuth {
  /** A signed access token for `clientId` with these scopes. */
  issueToken(clientId: string, scopes: readonly AccessScope[]): Promise<string>;
  /** What API Gateway would decide for a route needing `scope`, given the Authorization header. */
  authorize(scope: AccessScope, authorization: string | undefined): Promise<AuthDecision>;
}

export function createDevAuth(key: Uint8Array = randomBytes(32)): DevAuth {
  return {
    issueToken: (clientId, scopes) =>
      new SignJWT({ client_id: clientId, token_use: 'access', scope: scopes.map(qualifiedScope).join(' ') })
        .setProtectedHeader({ alg: ALGORITHM })
        .setIssuer(ISSUER)
        .setSubject(clientId)
        .setIssuedAt()
        .setExpirationTime(TOKEN_LIFETIME)
        .sign(key),

    async authorize(scope, authorization) {
      const token = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!token) {
        return refuse(
          401,
          'This route needs an access token: send "Authorization: Bearer <token>" (npm start -- --auth prints them)',
          'Bearer',
        );
      }
      let claims: JWTPayload;
      try {
        ({ payload: claims } = await jwtVerify(token, key, { issuer: ISSUER, algorithms: [ALGORITHM] }));
      } catch (error) {
        const why =
          error instanceof errors.JWTExpired
            ? 'the token has expired'
            : 'the token is not one this server signed (tokens last until it stops)';
        return refuse(401, `Invalid access token: ${why}`, 'Bearer error="invalid_token"');
      }
      const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
      const needed = qualifiedScope(scope);
      if (!scopes.includes(needed)) {
        return refuse(
          403,
          `The token of client "${String(claims.client_id)}" lacks the scope ${needed} this route needs`,
          `Bearer error="insufficient_scope", scope="${needed}"`,
        );
      }
      return { allowed: true, claims, scopes };
    },
  };
}

function refuse(status: 401 | 403, detail: string, wwwAuthenticate: string): AuthDecision {
  return { allowed: false, status, detail, wwwAuthenticate };
}
