/**
 * Request validation: each parse function takes a body that is already JSON-parsed (`unknown`)
 * and returns typed values with lines merged, or throws one error listing every bad field:
 *
 * - `MalformedRequestError` (400) when any field has the wrong JSON type or a required field is
 *   missing (SPEC "Errors"); this wins when a body has both kinds of problem.
 * - `InvalidValueError` (422) when every bad field has the right type but a disallowed value:
 *   a non-integer or non-finite number, out of range, too few or too many entries, an id not
 *   matching its pattern, a product_id given twice in one catalog.
 *
 * Decisions where SPEC is silent:
 * - Unknown extra fields are ignored and dropped: the zod objects below strip them, so keys
 *   like `__proto__` or `constructor` never reach a returned value (no prototype pollution).
 * - `-0` is accepted as the integer 0 and returned as 0.
 * - `order_id: null` is a value of the wrong JSON type (400), not an absent id.
 * - Counts (1..1000 entries, 1..100 order lines) are counted before merging, and the quantity
 *   limit applies to each given line: merged restock quantities may exceed 1,000,000.
 * - `product_name` length counts Unicode code points, not UTF-16 units; a name holding a lone
 *   surrogate is refused (422) because it cannot be stored as UTF-8. Names are not trimmed.
 * - A product_id given twice in one catalog request is refused (422) on the second occurrence.
 * - At most MAX_LISTED_ERRORS field errors are listed (a 256 KiB body of `[0,0,...]` would
 *   otherwise produce a response too large for Lambda); the detail says how many there were.
 */
import { z } from 'zod';
import { type FieldError, InvalidValueError, MalformedRequestError } from './errors.js';
import { type Line, mergeLines } from './lines.js';
import { normalizeExpiry, type RestockLine } from './lots.js';
import {
  INTEGER_ORDER_ID_RULE,
  type OrderId,
  STRING_ORDER_ID_RULE,
  isIntegerOrderId,
  isStringOrderId,
} from './order-id.js';
import { WRITE_OFF_REASONS, type WriteOffReason } from './movement.js';
import { PRIORITIES, type Priority } from './priority.js';

export const LIMITS = {
  catalogEntries: { min: 1, max: 1000 },
  restockLines: { min: 1, max: 1000 },
  orderLines: { min: 1, max: 100 },
  productId: { min: 0, max: Number.MAX_SAFE_INTEGER },
  productNameChars: { min: 1, max: 200 },
  massG: { min: 1, max: 1800 },
  restockQuantity: { min: 1, max: 1_000_000 },
  orderQuantity: { min: 1, max: 10_000 },
  /** SPEC v2: at most 10,000 units per order in all. */
  orderUnits: { max: 10_000 },
  emergencyReserve: { min: 0, max: 1_000_000 },
  cancelReasonChars: { min: 0, max: 500 },
  writeOffLines: { min: 1, max: 1000 },
  writeOffQuantity: { min: 1, max: 1_000_000 },
  writeOffNoteChars: { min: 0, max: 500 },
  lotChars: { min: 1, max: 64 },
  /** Page sizes of the lists: `limit` query parameter. */
  productPage: { min: 1, max: 1000, default: 1000 },
  movementPage: { min: 1, max: 1000, default: 100 },
  orderPage: { min: 1, max: 1000, default: 100 },
} as const;

/** Enough to list every field of any body within the entry limits (1000 entries x 3 fields). */
export const MAX_LISTED_ERRORS = 5000;

/** A catalog entry as given; `product_id` absent means "assign one". */
export interface CatalogEntry {
  product_id?: number;
  product_name: string;
  mass_g: number;
  /** Absent: a new product's is 0, an existing product's stays as it is. */
  emergency_reserve?: number;
}

export interface OrderRequest {
  /** Absent when the client gave none; the service then assigns one (`newOrderId`). */
  orderId?: OrderId;
  /** Absent when the client gave none (routine; a replay compares it as routine). */
  priority?: Priority;
  /** Merged by product, sorted by product_id. */
  lines: Line[];
}

/** `POST /inventory/init_catalog`: entries in the order given, product_ids distinct. */
export function parseCatalogRequest(body: unknown): CatalogEntry[] {
  return validate(
    catalogSchema,
    body,
    countProblem(body, '', LIMITS.catalogEntries, 'entries'),
    duplicateProductIds(body),
  );
}

/**
 * `POST /inventory/process_restock`: lines merged by product and lot, sorted by product_id, then
 * lot (the unnamed lot first). Decisions: `expires_at: null` is an absent one; two lines of one
 * lot with different `expires_at` are refused (422) at the second, since a lot has one expiry.
 */
export function parseRestockRequest(body: unknown): RestockLine[] {
  const lines = validate(restockSchema, body, countProblem(body, '', LIMITS.restockLines, 'lines'));
  return mergeRestockLines(lines, '');
}

/** EventBridge `Restock` detail `{restock: [...]}`: the same rules as the HTTP restock. */
export function parseRestockEventDetail(detail: unknown): RestockLine[] {
  const count = countProblem(field(detail, 'restock'), 'restock', LIMITS.restockLines, 'lines');
  return mergeRestockLines(validate(restockEventSchema, detail, count).restock, 'restock');
}

type ParsedRestockLine = { product_id: number; quantity: number; lot?: string | null; expires_at?: string | null };

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function mergeRestockLines(lines: ParsedRestockLine[], prefix: string): RestockLine[] {
  const merged = new Map<string, RestockLine>();
  const problems: FieldError[] = [];
  lines.forEach((l, i) => {
    const path = `${prefix}[${i}]`;
    const lot = l.lot ?? null;
    const expiresAt = l.expires_at ?? undefined;
    if (lot === null && expiresAt !== undefined) {
      problems.push({ path: `${path}.expires_at`, message: 'needs a lot: the unnamed lot never expires' });
      return;
    }
    const key = JSON.stringify([l.product_id, lot]);
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, {
        product_id: l.product_id,
        lot,
        quantity: l.quantity,
        path,
        ...(expiresAt ? { expiresAt } : {}),
      });
      return;
    }
    if (expiresAt !== undefined && seen.expiresAt !== undefined && expiresAt !== seen.expiresAt) {
      problems.push({ path: `${path}.expires_at`, message: `lot ${lot} is given another expires_at at ${seen.path}` });
      return;
    }
    merged.set(key, { ...seen, quantity: seen.quantity + l.quantity, ...(expiresAt ? { expiresAt } : {}) });
  });
  if (problems.length > 0)
    throw new InvalidValueError('the restock breaks a lot rule; nothing was restocked', problems);
  // The unnamed lot ('') sorts first; lot names compare by code unit, as everywhere in the store.
  return [...merged.values()].sort((a, b) => a.product_id - b.product_id || compareText(a.lot ?? '', b.lot ?? ''));
}

/** `POST /inventory/process_order`: `{order_id?, requested}` with requested merged. */
export function parseOrderRequest(body: unknown): OrderRequest {
  const requestedField = field(body, 'requested');
  const count = countProblem(requestedField, 'requested', LIMITS.orderLines, 'lines');
  const { order_id, priority, requested } = validate(orderSchema, body, count, unitsProblem(requestedField));
  return {
    lines: mergeLines(requested),
    ...(order_id === undefined ? {} : { orderId: order_id }),
    ...(priority === undefined ? {} : { priority }),
  };
}

/** One write-off line, merged with the others of the same product, lot and reason. */
export interface WriteOffLine {
  product_id: number;
  /** Null: from the product's lots in FEFO order (SPEC rule 9). */
  lot: string | null;
  quantity: number;
  reason: WriteOffReason;
  /** Notes of the lines merged into this one, joined; null when none was given. */
  note: string | null;
}

/**
 * `POST /inventory/write_offs`: lines merged by product, lot and reason (a reason is part of what
 * happened, so two reasons stay two lines), sorted by product_id, then lot, then reason.
 */
export function parseWriteOffRequest(body: unknown): WriteOffLine[] {
  const lines = validate(writeOffSchema, body, countProblem(body, '', LIMITS.writeOffLines, 'lines'));
  const merged = new Map<string, WriteOffLine>();
  for (const l of lines) {
    const lot = l.lot ?? null;
    const key = JSON.stringify([l.product_id, lot, l.reason]);
    const seen = merged.get(key);
    const note = l.note ?? null;
    if (!seen) merged.set(key, { product_id: l.product_id, lot, quantity: l.quantity, reason: l.reason, note });
    else {
      seen.quantity += l.quantity;
      if (note !== null) seen.note = seen.note === null ? note : `${seen.note}\n${note}`;
    }
  }
  return [...merged.values()].sort(
    (a, b) =>
      a.product_id - b.product_id || (a.lot ?? '').localeCompare(b.lot ?? '') || a.reason.localeCompare(b.reason),
  );
}

/** `POST /inventory/orders/{order_id}/cancel`: no body, or `{reason?}` (null or absent: none). */
export function parseCancelRequest(body: unknown): { reason: string | null } {
  if (body === undefined) return { reason: null };
  const { reason } = validate(cancelSchema, body, []);
  return { reason: reason ?? null };
}

// ---------------------------------------------------------------------------------------------
// Schemas. Every message of a field comes from one function of the input, so the several zod
// issues one value can raise (e.g. 2^53 breaks both the safe-integer and the max check) read
// the same and collapse into one listed error per path.

function integerField({ min, max }: { min: number; max: number }) {
  const rule = `must be an integer from ${min} to ${max}`;
  const message = (input: unknown) => describe(input, rule, 'number');
  return z
    .int({ error: (issue) => message(issue.input) })
    .min(min, { error: (issue) => message(issue.input) })
    .max(max, { error: (issue) => message(issue.input) })
    .transform((n) => n + 0); // -0 becomes 0
}

function productNameField() {
  return textField(LIMITS.productNameChars);
}

/** Text of `min` to `max` Unicode code points, well-formed (storable as UTF-8). */
function textField({ min, max }: { min: number; max: number }) {
  const rule = `must be a string of ${min} to ${max} characters`;
  return z.string({ error: (issue) => describe(issue.input, rule, 'string') }).superRefine((name, ctx) => {
    if (/\p{Surrogate}/u.test(name)) {
      ctx.addIssue({ code: 'custom', message: 'must be well-formed Unicode text (it holds a lone surrogate)' });
      return;
    }
    const chars = [...name].length;
    if (chars < min || chars > max) {
      ctx.addIssue({ code: 'custom', message: `${rule}; it has ${chars}` });
    }
  });
}

const orderIdField = z.unknown().transform((value, ctx): OrderId => {
  if (isStringOrderId(value) || isIntegerOrderId(value)) return typeof value === 'number' ? value + 0 : value;
  const rule = `must be ${STRING_ORDER_ID_RULE}, or ${INTEGER_ORDER_ID_RULE}`;
  const rightType = typeof value === 'string' || typeof value === 'number';
  ctx.addIssue({
    code: 'custom',
    message: rightType ? rule : `${rule}, not ${jsonTypeName(value)}`,
    params: { status: rightType ? 422 : 400 },
  });
  return z.NEVER;
});

const productId = integerField(LIMITS.productId);

/** One of `values`: another string is a disallowed value (422), anything else the wrong type (400). */
function oneOfField<T extends string>(values: readonly T[]) {
  return z.unknown().transform((value, ctx): T => {
    if (values.includes(value as T)) return value as T;
    const rule = `must be one of ${values.join(', ')}`;
    const rightType = typeof value === 'string';
    ctx.addIssue({
      code: 'custom',
      message: rightType ? rule : `${rule}, not ${jsonTypeName(value)}`,
      params: { status: rightType ? 422 : 400 },
    });
    return z.NEVER;
  });
}

const priorityField = oneOfField(PRIORITIES);

function lineSchema(quantity: { min: number; max: number }) {
  return z.object(
    { product_id: productId, quantity: integerField(quantity) },
    { error: (issue) => describe(issue.input, 'must be an object {product_id, quantity}') },
  );
}

function arrayOf<T extends z.ZodType>(item: T, what: string) {
  // Entry counts are checked by `countProblem`, not here: zod skips the element checks of an
  // array that is too long, and every bad field must be listed.
  return z.array(item, { error: (issue) => describe(issue.input, `must be an array of ${what}`) });
}

const catalogSchema = arrayOf(
  z.object(
    {
      product_id: productId.optional(),
      product_name: productNameField(),
      mass_g: integerField(LIMITS.massG),
      emergency_reserve: integerField(LIMITS.emergencyReserve).optional(),
    },
    {
      error: (issue) =>
        describe(issue.input, 'must be an object {product_id?, product_name, mass_g, emergency_reserve?}'),
    },
  ),
  'products',
);

/**
 * A nullable string field with a rule: `read` gives the value to keep, or undefined when the
 * string breaks the rule (422); a value that is not a string is of the wrong JSON type (400).
 */
function stringRuleField(read: (text: string) => string | undefined, rule: string) {
  return z.unknown().transform((value, ctx): string => {
    const kept = typeof value === 'string' ? read(value) : undefined;
    if (kept !== undefined) return kept;
    ctx.addIssue({
      code: 'custom',
      message: typeof value === 'string' ? rule : `${rule}, or null, not ${jsonTypeName(value)}`,
      params: { status: typeof value === 'string' ? 422 : 400 },
    });
    return z.NEVER;
  });
}

const lotPattern = /^[A-Za-z0-9_.:-]{1,64}$/;
const lotField = stringRuleField(
  (text) => (lotPattern.test(text) ? text : undefined),
  'must be 1 to 64 of A-Za-z0-9_.:-',
);
const expiresAtField = stringRuleField(
  normalizeExpiry,
  'must be an RFC 3339 date-time with an offset, e.g. 2026-12-05T06:00:00Z',
);

const restockSchema = arrayOf(
  z.object(
    {
      product_id: productId,
      quantity: integerField(LIMITS.restockQuantity),
      lot: lotField.nullable().optional(),
      expires_at: expiresAtField.nullable().optional(),
    },
    { error: (issue) => describe(issue.input, 'must be an object {product_id, quantity, lot?, expires_at?}') },
  ),
  'lines {product_id, quantity, lot?, expires_at?}',
);

const restockEventSchema = z.object(
  { restock: restockSchema },
  { error: (issue) => describe(issue.input, 'must be an object {restock: [...]}') },
);

const orderSchema = z.object(
  {
    order_id: orderIdField.optional(),
    priority: priorityField.optional(),
    requested: arrayOf(lineSchema(LIMITS.orderQuantity), 'lines {product_id, quantity}'),
  },
  { error: (issue) => describe(issue.input, 'must be an object {order_id?, priority?, requested}') },
);

const writeOffReasonField = oneOfField(WRITE_OFF_REASONS);

const writeOffSchema = arrayOf(
  z.object(
    {
      product_id: productId,
      quantity: integerField(LIMITS.writeOffQuantity),
      reason: writeOffReasonField,
      lot: lotField.nullable().optional(),
      note: textField(LIMITS.writeOffNoteChars).nullable().optional(),
    },
    { error: (issue) => describe(issue.input, 'must be an object {product_id, quantity, reason, lot?, note?}') },
  ),
  'lines {product_id, quantity, reason, lot?, note?}',
);

const cancelSchema = z.object(
  { reason: textField(LIMITS.cancelReasonChars).nullable().optional() },
  { error: (issue) => describe(issue.input, 'must be an object {reason?}') },
);

// ---------------------------------------------------------------------------------------------
// Problems: a field error plus the status it calls for.

interface Problem extends FieldError {
  status: 400 | 422;
}

/**
 * The parsed value, or a throw listing `leading` problems (entry counts, at the container's
 * path), then one problem per bad field in body order, then `trailing` (cross-entry rules).
 */
function validate<T extends z.ZodType>(
  schema: T,
  input: unknown,
  leading: Problem[],
  trailing: Problem[] = [],
): z.output<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success && leading.length === 0 && trailing.length === 0) return result.data;
  const byPath = new Map<string, Problem>();
  for (const issue of result.error?.issues ?? []) {
    const path = formatPath(issue.path);
    const status = statusOf(issue);
    const seen = byPath.get(path);
    if (!seen) byPath.set(path, { path, message: issue.message, status });
    else if (status < seen.status) seen.status = status;
  }
  return throwProblems([...leading, ...byPath.values(), ...trailing]);
}

/**
 * SPEC "Errors": a wrong JSON type or a missing required field is 400, a disallowed value of the
 * right type is 422. zod reports a non-integer or non-finite number (1.5, Infinity from `1e309`)
 * as `invalid_type`; such a value has the right JSON type, so it is 422.
 */
function statusOf(issue: z.core.$ZodIssue): 400 | 422 {
  if (issue.code === 'custom') {
    return (issue.params as { status?: unknown } | undefined)?.status === 400 ? 400 : 422;
  }
  if (issue.code === 'invalid_type') {
    const numeric = issue.expected === 'number' || issue.expected === 'int';
    return numeric && typeof issue.input === 'number' ? 422 : 400;
  }
  return 422;
}

function countProblem(
  value: unknown,
  path: string,
  { min, max }: { min: number; max: number },
  what: string,
): Problem[] {
  if (!Array.isArray(value) || (value.length >= min && value.length <= max)) return [];
  return [{ path, message: `must hold ${min} to ${max} ${what}; it has ${value.length}`, status: 422 }];
}

/** Over 10,000 units in all (counted once every quantity is a valid number, so it adds no noise). */
function unitsProblem(lines: unknown): Problem[] {
  if (!Array.isArray(lines)) return [];
  let units = 0;
  for (const line of lines) {
    const quantity = field(line, 'quantity');
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity)) return [];
    units += quantity;
  }
  const { max } = LIMITS.orderUnits;
  if (units <= max) return [];
  return [{ path: 'requested', message: `must hold at most ${max} units in all; it holds ${units}`, status: 422 }];
}

export interface ListQuery {
  limit: number;
  cursor?: string;
}

/** A product id in a path: all digits, 0..2^53-1 (anything else names no product). */
export function parseProductIdPath(parameter: string): number | undefined {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(parameter)) return undefined;
  const id = Number(parameter);
  return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * `limit` and `cursor` of a list route's query string (API Gateway gives every value as a
 * string). A limit that is not a decimal integer in range is a disallowed value: 422.
 */
export function parseListQuery(
  query: Record<string, string | undefined> | undefined,
  range: { min: number; max: number; default: number },
): ListQuery {
  const { limit, problems } = limitOf(query?.limit, range);
  if (problems.length > 0) throwProblems(problems);
  const cursor = query?.cursor;
  return cursor === undefined ? { limit } : { limit, cursor };
}

function limitOf(
  raw: string | undefined,
  { min, max, default: fallback }: { min: number; max: number; default: number },
): { limit: number; problems: Problem[] } {
  const limit = raw === undefined ? fallback : /^[0-9]{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
  if (limit >= min && limit <= max) return { limit, problems: [] };
  return { limit, problems: [{ path: 'limit', message: `must be an integer from ${min} to ${max}`, status: 422 }] };
}

/** SPEC v2 "Order lists": the `status` values of `GET /inventory/orders`. */
export const ORDER_LIST_STATUSES = ['waiting', 'fulfilled', 'cancelled'] as const;
export type OrderListStatus = (typeof ORDER_LIST_STATUSES)[number];

export interface OrderListQuery extends ListQuery {
  /** Absent: every order. */
  status?: OrderListStatus;
  productId?: number;
  priority?: Priority;
}

/** `GET /inventory/orders`: every parameter is checked, and all bad ones are listed at once (422). */
export function parseOrderListQuery(query: Record<string, string | undefined> | undefined): OrderListQuery {
  const { limit, problems } = limitOf(query?.limit, LIMITS.orderPage);
  const { status, product_id: product, priority, cursor } = query ?? {};
  const oneOf = <T extends string>(name: string, value: string | undefined, values: readonly T[]) => {
    if (value === undefined || values.includes(value as T)) return value as T | undefined;
    problems.push({ path: name, message: `must be one of ${values.join(', ')}`, status: 422 });
    return undefined;
  };
  const parsed: OrderListQuery = { limit };
  const listStatus = oneOf('status', status, ORDER_LIST_STATUSES);
  const listPriority = oneOf('priority', priority, PRIORITIES);
  if (listStatus) parsed.status = listStatus;
  if (listPriority) parsed.priority = listPriority;
  if (product !== undefined) {
    const id = parseProductIdPath(product);
    if (id === undefined) {
      problems.push({ path: 'product_id', message: 'must be an integer from 0 to 2^53-1', status: 422 });
    } else parsed.productId = id;
  }
  if (cursor !== undefined) parsed.cursor = cursor;
  if (problems.length > 0) throwProblems(problems);
  return parsed;
}

function duplicateProductIds(body: unknown): Problem[] {
  if (!Array.isArray(body)) return [];
  const firstIndex = new Map<number, number>(); // Map keys treat -0 and 0 as the same id
  const problems: Problem[] = [];
  body.forEach((entry: unknown, index) => {
    const id = field(entry, 'product_id');
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return;
    const first = firstIndex.get(id);
    if (first === undefined) firstIndex.set(id, index);
    else {
      problems.push({
        path: `[${index}].product_id`,
        message: `product_id ${id + 0} is already given at [${first}]; each product may appear once`,
        status: 422,
      });
    }
  });
  return problems;
}

function throwProblems(problems: Problem[]): never {
  const malformed = problems.some((p) => p.status === 400);
  const listed = problems.slice(0, MAX_LISTED_ERRORS).map(({ path, message }) => ({ path, message }));
  // The detail quotes a problem of the status answered, so a 400 never explains itself with a 422 rule.
  const first = problems.find((p) => p.status === (malformed ? 400 : 422))!;
  let detail = `${first.path === '' ? 'The body' : first.path} ${first.message}`;
  if (problems.length > 1) detail += ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`;
  if (problems.length > listed.length) detail += `; the first ${listed.length} are listed`;
  throw malformed ? new MalformedRequestError(detail, listed) : new InvalidValueError(detail, listed);
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/** `requested[0].product_id`, `[2].quantity`, `` for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** The message for a bad value: "is required" when missing, the rule plus the type when wrong. */
function describe(input: unknown, rule: string, expected?: 'number' | 'string'): string {
  if (input === undefined) return 'is required';
  return typeof input === expected ? rule : `${rule}, not ${jsonTypeName(input)}`;
}

function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'number') return 'a number';
  return typeof value;
}

/** An own property of a plain object, never one inherited through the prototype chain. */
function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * The schemas above, for the OpenAPI document (functions/http/openapi.ts): the document is
 * generated from the very schemas that validate requests, so the two cannot drift.
 */
export const REQUEST_SCHEMAS = {
  catalog: catalogSchema,
  restock: restockSchema,
  order: orderSchema,
  cancel: cancelSchema,
  writeOff: writeOffSchema,
} as const;
