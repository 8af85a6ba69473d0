/**
 * Matches a request against the route table of functions/routes.ts the way API Gateway's HTTP
 * API does for our routes: exact literal segments, `{name}` for one segment. A single trailing
 * slash is accepted (SPEC: "a trailing slash is accepted"). Every GET route answers HEAD too.
 */
import { methodsOf, routes as serviceRoutes, type Route } from '../functions/routes.js';

export type RouteMatch =
  | { kind: 'found'; route: Route; routeKey: string; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allowedMethods: string[] }
  | { kind: 'not-found' };

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  parameterNames: string[];
}

export function createRouteMatcher(
  routes: readonly Route[] = serviceRoutes,
): (method: string, rawPath: string) => RouteMatch {
  const compiled = routes.map(compileRoute);
  return (method, rawPath) => {
    const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
    const samePath = compiled.flatMap((candidate) => {
      const match = candidate.pattern.exec(path);
      return match ? [{ candidate, values: match.slice(1) }] : [];
    });
    if (samePath.length === 0) return { kind: 'not-found' };
    const wanted = method.toUpperCase();
    const hit = samePath.find(({ candidate }) => (methodsOf(candidate.route) as string[]).includes(wanted));
    if (!hit)
      return {
        kind: 'method-not-allowed',
        allowedMethods: [...new Set(samePath.flatMap(({ candidate }) => methodsOf(candidate.route)))],
      };
    const pathParameters = Object.fromEntries(
      hit.candidate.parameterNames.map((name, i) => [name, decodeSegment(hit.values[i] ?? '')]),
    );
    const { route } = hit.candidate;
    // API Gateway names the route by the method asked for: `HEAD /inventory/products`.
    return { kind: 'found', route, routeKey: `${wanted} ${route.path}`, pathParameters };
  };
}

function compileRoute(route: Route): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment);
      if (!parameter?.[1]) return escapeRegExp(segment);
      parameterNames.push(parameter[1]);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
}

/**
 * API Gateway hands path parameters to the function percent-decoded ("API Gateway decodes
 * URL-encoded request parameters before passing them to your backend integration", AWS docs,
 * "Create routes for HTTP APIs"). This is the one decoding SPEC allows: handlers take the value
 * as it is (functions/domain/order-id.ts parseOrderIdPath).
 */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // malformed escape: pass it through and let the handler's validation refuse it
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
