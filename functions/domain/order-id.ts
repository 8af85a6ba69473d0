import { randomUUID } from 'node:crypto';

/**
 * An order id as the client gave it (SPEC "order_id"): a string of 1..128 characters of
 * `A-Za-z0-9_.:-` with at least one non-digit, or an integer 0..2^53-1. Responses echo it with
 * the JSON type it was given, so the two kinds stay distinct all the way to storage.
 */
export type OrderId = string | number;

export const MAX_INTEGER_ORDER_ID = Number.MAX_SAFE_INTEGER; // 2^53 - 1
export const MAX_STRING_ORDER_ID_LENGTH = 128;

/**
 * 1..128 allowed characters, at least one of them not a digit. Written as a JSON Schema pattern
 * too (ECMA syntax), so the OpenAPI document (functions/http/response-schemas.ts) uses this one.
 */
export const STRING_ORDER_ID_PATTERN = '^(?=[A-Za-z0-9_.:-]*[^0-9])[A-Za-z0-9_.:-]{1,128}$';
const STRING_ORDER_ID = new RegExp(STRING_ORDER_ID_PATTERN);
/** Decimal digits as written by `String(n)` for a non-negative integer: no sign, no leading zero. */
const CANONICAL_DIGITS = /^(?:0|[1-9][0-9]*)$/;

export const STRING_ORDER_ID_RULE =
  'a string of 1 to 128 characters of A-Z a-z 0-9 _ . : - with at least one non-digit';
export const INTEGER_ORDER_ID_RULE = `an integer from 0 to ${MAX_INTEGER_ORDER_ID}`;

export function isStringOrderId(value: unknown): value is string {
  return typeof value === 'string' && STRING_ORDER_ID.test(value);
}

export function isIntegerOrderId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The order id named by the `{order_id}` path parameter of `GET /inventory/orders/{order_id}`,
 * or `undefined` when no order can have that id (the caller answers 404, the same as for an
 * unknown order).
 *
 * `parameter` is the path parameter as API Gateway's HTTP API passes it to the function:
 * already percent-decoded ("API Gateway decodes URL-encoded request parameters before passing
 * them to your backend integration", AWS docs, "Create routes for HTTP APIs"; the local server
 * does the same). SPEC: a path is percent-decoded exactly once, so it is not decoded again:
 * `/inventory/orders/a%253Ab` names the id `a%3Ab`, which cannot exist (`%` is not an id
 * character), never the order `a:b`.
 *
 * - An all-digit parameter names an integer id, but only in its canonical spelling: `7` names 7,
 *   while `007` names nothing. Every integer id has exactly one path, and `007` cannot be a
 *   string id either (string ids contain a non-digit). Digits above 2^53-1 name nothing.
 * - Anything else is a string id and must match the string pattern exactly.
 */
export function parseOrderIdPath(parameter: string): OrderId | undefined {
  if (/^[0-9]+$/.test(parameter)) {
    if (!CANONICAL_DIGITS.test(parameter)) return undefined;
    const n = Number(parameter);
    return isIntegerOrderId(n) ? n : undefined;
  }
  return isStringOrderId(parameter) ? parameter : undefined;
}

/**
 * The canonical string of an order id for storage keys: an integer as its decimal digits, a
 * string as itself. Unambiguous because a string id always contains a non-digit, so `"7"`
 * (never a valid string id) cannot collide with the integer 7.
 */
export function orderIdKey(id: OrderId): string {
  // `id + 0` turns -0 into 0; String(-0) is "0" anyway, this keeps the intent explicit.
  return typeof id === 'number' ? String(id + 0) : id;
}

/** Inverse of `orderIdKey`: all-digit keys were integer ids, everything else a string id. */
export function orderIdFromKey(key: string): OrderId {
  return /^[0-9]+$/.test(key) ? Number(key) : key;
}

/**
 * A service-assigned string id: `o-` + 9 base-36 digits of the creation time in milliseconds
 * (zero-padded, so ids sort by time as plain strings until the year 5188) + `-` + 32 hex digits
 * of a random UUID. 44 characters, always matching the string pattern.
 */
export function newOrderId(now: number = Date.now()): string {
  const time = Math.max(0, Math.floor(now)).toString(36).padStart(9, '0');
  return `o-${time}-${randomUUID().replaceAll('-', '')}`;
}
