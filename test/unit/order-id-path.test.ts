/**
 * SPEC: "a path is percent-decoded exactly once". API Gateway's HTTP API decodes the path
 * parameter (AWS: "API Gateway decodes URL-encoded request parameters before passing them to
 * your backend integration"), and so does the local server's route matcher; parseOrderIdPath
 * takes that value as it is.
 */
import { describe, expect, it } from 'vitest';
import { parseOrderIdPath } from '../../functions/domain/order-id.js';
import { createRouteMatcher } from '../../local/route-matcher.js';

describe('the order id in GET /inventory/orders/{order_id}', () => {
  it('takes the path parameter as API Gateway passes it, decoded once, and never decodes it again', () => {
    // A parameter still holding an escape was escaped twice on the wire (`a%253Ab`): it names
    // the id `a%3Ab`, which cannot exist, and never the order `a:b`.
    for (const twice of ['a%3Ab', 'a%3Ab.x', '%31%32', '%30', 'a%2Fb', '%61bc'])
      expect(parseOrderIdPath(twice), twice).toBeUndefined();
    // Escaped once on the wire, decoded once by the gateway (here the local one): the id itself.
    // Escapes of unreserved characters are equivalent to the characters (RFC 3986 6.2.2.2).
    const match = createRouteMatcher();
    const idOf = (path: string) => {
      const found = match('GET', path);
      if (found.kind !== 'found') throw new Error(`no route for ${path}`);
      return parseOrderIdPath(found.pathParameters.order_id!);
    };
    expect(idOf('/inventory/orders/a%3Ab.x')).toBe('a:b.x');
    expect(idOf('/inventory/orders/a:b.x')).toBe('a:b.x');
    expect(idOf('/inventory/orders/%31%32')).toBe(12);
    expect(idOf('/inventory/orders/%30%30%37')).toBeUndefined();
    expect(idOf('/inventory/orders/a%253Ab.x')).toBeUndefined();
    expect(idOf('/inventory/orders/%2531%2532')).toBeUndefined();
    expect(idOf('/inventory/orders/a%ZZ')).toBeUndefined(); // malformed: passed through, then refused
  });
});
