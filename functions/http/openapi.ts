/**
 * The OpenAPI 3.1 document of the HTTP API, generated, not written by hand:
 * - paths, methods and required scopes come from the route table (functions/routes.ts);
 * - request body schemas are the zod schemas that validate requests (functions/domain/requests.ts),
 *   converted with `io: 'input'`; what zod cannot express (entry counts checked outside the
 *   schema, name length in code points, one product per catalog) is added from the same LIMITS
 *   constants or said in `description`;
 * - response schemas are the zod schemas of response-schemas.ts, which an integration test checks
 *   real answers against;
 * - problem examples are produced by running the real validators and error mapping.
 *
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what `z.toJSONSchema` emits.
 */
import { z } from 'zod';
import {
  ConflictError,
  DependencyUnavailableError,
  InvalidValueError,
  NotFoundError,
  OrderCompleteError,
  RequestInProgressError,
} from '../domain/errors.js';
import {
  LIMITS,
  parseCancelRequest,
  parseCatalogRequest,
  ORDER_LIST_STATUSES,
  parseListQuery,
  parseOrderListQuery,
  parseOrderRequest,
  parseRestockRequest,
  parseWriteOffRequest,
  REQUEST_SCHEMAS,
} from '../domain/requests.js';
import { PRIORITIES } from '../domain/priority.js';
import { API_CLIENTS, qualifiedScope } from '../api-clients.js';
import { ACCESS_SCOPES, routes, type AccessScope, type Route } from '../routes.js';
import {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  PROBLEM_TYPES,
  problemResponse,
  type ProblemBody,
  type ProblemKind,
} from './problem.js';
import { MAX_BODY_BYTES, readJsonBody } from './request-body.js';
import {
  FieldErrorSchema,
  GatewayMessageSchema,
  HealthSchema,
  LineSchema,
  OrderIdSchema,
  OrderStatusSchema,
  OrderViewSchema,
  PrioritySchema,
  ProblemSchema,
  MovementPageSchema,
  OrderPageSchema,
  OrderSummarySchema,
  MovementSchema,
  WriteOffAnswerSchema,
  ProductListSchema,
  ProductPageSchema,
  ProductViewSchema,
  RestockAnswerSchema,
  ShipmentSchema,
} from './response-schemas.js';
import classic from '../data/classic-exercise.json' with { type: 'json' };

// ---------------------------------------------------------------------------------------------
// The document's shape (the parts of OpenAPI 3.1 this service uses).

export type JsonSchema = { [keyword: string]: unknown };
export interface Example {
  summary: string;
  value: unknown;
}
export interface MediaType {
  schema: JsonSchema;
  examples?: Record<string, Example>;
}
export interface HeaderObject {
  description: string;
  required?: boolean;
  schema: JsonSchema;
}
export interface ResponseObject {
  description: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaType>;
}
export interface ParameterObject {
  name: string;
  in: 'path' | 'header' | 'query';
  required: boolean;
  description: string;
  schema: JsonSchema;
  example?: unknown;
}
export interface OperationObject {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  /** `[]` for a public route, else the bearer scheme with the route's scope. */
  security: Array<Record<string, string[]>>;
  parameters?: ParameterObject[];
  requestBody?: { required: boolean; description: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
}
export type HttpMethod = 'get' | 'post';
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; summary: string; description: string };
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Partial<Record<HttpMethod, OperationObject>>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; bearerFormat: 'JWT'; description: string }>;
  };
}

export const SECURITY_SCHEME = 'bearerAuth';
const SCHEMA_REF = '#/components/schemas/';
const ref = (name: string): JsonSchema => ({ $ref: SCHEMA_REF + name });

// ---------------------------------------------------------------------------------------------
// Component schemas.

type Meta = { id: string };

/** Responses: what the code returns (`io: 'output'`). */
const RESPONSE_SCHEMAS: ReadonlyArray<[z.ZodType, string]> = [
  [OrderIdSchema, 'OrderId'],
  [LineSchema, 'Line'],
  [ProductViewSchema, 'ProductView'],
  [ShipmentSchema, 'Shipment'],
  [OrderStatusSchema, 'OrderStatus'],
  [PrioritySchema, 'Priority'],
  [OrderViewSchema, 'OrderView'],
  [OrderSummarySchema, 'OrderSummary'],
  [OrderPageSchema, 'OrderPage'],
  [ProductListSchema, 'ProductList'],
  [ProductPageSchema, 'ProductPage'],
  [MovementSchema, 'Movement'],
  [MovementPageSchema, 'MovementPage'],
  [WriteOffAnswerSchema, 'WriteOffAnswer'],
  [RestockAnswerSchema, 'RestockAnswer'],
  [HealthSchema, 'Health'],
  [FieldErrorSchema, 'FieldError'],
  [ProblemSchema, 'Problem'],
  [GatewayMessageSchema, 'GatewayMessage'],
];

/** Request bodies: what validation accepts (`io: 'input'`: before transforms such as -0 to 0). */
const REQUEST_SCHEMA_IDS: ReadonlyArray<[z.ZodType, string]> = [
  [REQUEST_SCHEMAS.catalog, 'CatalogRequest'],
  [REQUEST_SCHEMAS.restock, 'RestockRequest'],
  [REQUEST_SCHEMAS.order, 'OrderRequest'],
  [REQUEST_SCHEMAS.cancel, 'CancelRequest'],
  [REQUEST_SCHEMAS.writeOff, 'WriteOffRequest'],
];

const MERGED = 'Lines naming the same product are merged (their quantities added) before use.';

/**
 * Rules the validators enforce outside what zod can convert: entry counts are checked before the
 * schema runs (so every bad field is still listed), the name length is counted in code points by
 * a refinement, and the order id is a transform. Each is restored here from the same constants.
 */
function requestOverride(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const { zodSchema: schema, jsonSchema: json } = ctx;
  const catalogEntry = REQUEST_SCHEMAS.catalog.element;
  const count = (limits: { min: number; max: number }, what: string) => {
    json.minItems = limits.min;
    json.maxItems = limits.max;
    json.description = `${limits.min} to ${limits.max} ${what}.`;
  };
  if (schema === REQUEST_SCHEMAS.catalog) {
    count(LIMITS.catalogEntries, 'products');
    json.description +=
      ' Upsert: a new product starts with quantity 0; a known product_id gets the new name and mass (and emergency_reserve when given: absent, it is kept), its stock untouched. ' +
      'Lowering a reserve while orders wait ships the freed units to them before the answer. ' +
      'Without product_id one is assigned. Each product_id may appear once per request (422 otherwise; JSON Schema cannot say this).';
  } else if (schema === REQUEST_SCHEMAS.restock) {
    count(LIMITS.restockLines, 'lines');
    json.description += ` ${MERGED} Merged quantities may exceed the limit of one line.`;
  } else if (schema === REQUEST_SCHEMAS.order.shape.requested) {
    count(LIMITS.orderLines, 'lines');
    json.description += ` ${MERGED} At most ${LIMITS.orderUnits.max} units in all (422 otherwise; JSON Schema cannot say this).`;
  } else if (schema === catalogEntry.shape.product_name) {
    // JSON Schema counts string length in Unicode code points, as the validator does.
    json.minLength = LIMITS.productNameChars.min;
    json.maxLength = LIMITS.productNameChars.max;
    json.description = 'Unicode characters (code points), not trimmed; a lone surrogate is refused (422).';
  } else if (schema === REQUEST_SCHEMAS.order.shape.order_id) {
    // The validator is a transform of any value; the value it accepts is exactly OrderId.
    for (const key of Object.keys(json)) delete json[key];
    json.$ref = `${SCHEMA_REF}OrderId`;
    json.description =
      'Optional; absent, the service assigns a string id. An existing order_id with the same lines (after merging) and the same priority replays: 200 and nothing changes.';
  } else if (schema === REQUEST_SCHEMAS.order.shape.priority) {
    // The validator is a transform of any value; the value it accepts is exactly Priority.
    for (const key of Object.keys(json)) delete json[key];
    json.$ref = `${SCHEMA_REF}Priority`;
    json.description =
      'Optional, `routine` when absent. Waiting orders are served by priority, then oldest first; a new order never receives a unit while one of the same or a higher priority waits; only `emergency` orders take the emergency reserve.';
  }
}

function componentSchemas(): Record<string, JsonSchema> {
  const convert = (
    entries: ReadonlyArray<[z.ZodType, string]>,
    io: 'input' | 'output',
    override?: typeof requestOverride,
  ) => {
    const registry = z.registry<Meta>();
    for (const [schema, id] of entries) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, {
      target: 'draft-2020-12',
      io,
      uri: (id) => SCHEMA_REF + id,
      ...(override ? { override: (ctx) => override(ctx as never) } : {}),
    });
    return schemas as Record<string, JsonSchema>;
  };
  const all = { ...convert(RESPONSE_SCHEMAS, 'output'), ...convert(REQUEST_SCHEMA_IDS, 'input', requestOverride) };
  // Each is a component of one document, not a standalone schema resource.
  for (const schema of Object.values(all)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return all;
}

// ---------------------------------------------------------------------------------------------
// Examples: the classic exercise, and problems made by the real validators and error mapping.

const EXAMPLE_TIME = '2026-01-15T09:30:00.000Z';
const CLASSIC_ORDER_ID = classic.order.order_id;

const classicOrderCreated = {
  order_id: CLASSIC_ORDER_ID,
  priority: 'routine',
  status: 'backordered',
  requested: classic.order.requested,
  shipped: [],
  backordered: classic.order.requested,
  cancelled: [],
  shipments: [],
  created_at: EXAMPLE_TIME,
};

const classicShipments = [
  {
    shipment_id: 'mkf0a1b2c9d8e7f6-1',
    order_id: CLASSIC_ORDER_ID,
    shipped: [
      { product_id: 0, quantity: 2, lots: [{ lot: null, quantity: 2 }] },
      { product_id: 10, quantity: 1, lots: [{ lot: null, quantity: 1 }] },
    ],
    mass_g: 1700,
    shipped_at: '2026-01-15T10:05:00.000Z',
  },
  {
    shipment_id: 'mkf0a1b2c9d8e7f6-2',
    order_id: CLASSIC_ORDER_ID,
    shipped: [{ product_id: 10, quantity: 3, lots: [{ lot: null, quantity: 3 }] }],
    mass_g: 900,
    shipped_at: '2026-01-15T10:05:00.000Z',
  },
];

/** The body `problemResponse` sends for what `fail` throws. */
function problemExample(fail: () => unknown): ProblemBody {
  try {
    fail();
  } catch (error) {
    return JSON.parse(problemResponse(error).body ?? '') as ProblemBody;
  }
  throw new Error('a problem example did not fail');
}

const problems = {
  notJson: problemExample(() =>
    readJsonBody({ headers: { 'content-type': 'application/json' }, body: '{"requested": [', isBase64Encoded: false }),
  ),
  tooLarge: problemExample(() =>
    readJsonBody({ headers: {}, body: ' '.repeat(MAX_BODY_BYTES + 1), isBase64Encoded: false }),
  ),
  notJsonType: problemExample(() =>
    readJsonBody({ headers: { 'content-type': 'text/plain' }, body: 'hello', isBase64Encoded: false }),
  ),
  catalogMalformed: problemExample(() => parseCatalogRequest([{ product_name: 'FFP O-' }])),
  catalogInvalid: problemExample(() => parseCatalogRequest([{ product_name: 'Whole blood unit', mass_g: 2000 }])),
  restockMalformed: problemExample(() => parseRestockRequest({ product_id: 0, quantity: 30 })),
  restockInvalid: problemExample(() => parseRestockRequest([{ product_id: 0, quantity: 0 }])),
  writeOffMalformed: problemExample(() => parseWriteOffRequest([{ product_id: 0, quantity: 1 }])),
  writeOffInvalid: problemExample(() => parseWriteOffRequest([{ product_id: 0, quantity: 1, reason: 'lost' }])),
  writeOffShort: problemExample(() => {
    throw new InvalidValueError('the write-off takes more units than are on hand; nothing was written off', [
      { path: '[0]', message: 'takes 5 units of product 0; 2 on hand' },
    ]);
  }),
  writeOffConflict: problemExample(() => {
    throw new ConflictError('write-off key:broken-2026-12-01 was already sent with different lines');
  }),
  orderMalformed: problemExample(() =>
    parseOrderRequest({ order_id: 123, requested: [{ product_id: 0, quantity: '2' }] }),
  ),
  orderInvalid: problemExample(() =>
    parseOrderRequest({ order_id: '123', requested: [{ product_id: 0, quantity: 10_001 }] }),
  ),
  unknownRestockProduct: problemExample(() => {
    throw new NotFoundError('the restock names products that are not in the catalog', [
      { path: '[0].product_id', message: 'unknown product_id 99' },
    ]);
  }),
  unknownOrder: problemExample(() => {
    throw new NotFoundError('no order "o-unknown"');
  }),
  orderComplete: problemExample(() => {
    throw new OrderCompleteError(`order ${CLASSIC_ORDER_ID} has nothing left to wait for: it is fulfilled`);
  }),
  cancelMalformed: problemExample(() => parseCancelRequest({ reason: 42 })),
  cancelInvalid: problemExample(() => parseCancelRequest({ reason: 'x'.repeat(501) })),
  orderConflict: problemExample(() => {
    throw new ConflictError(`order ${CLASSIC_ORDER_ID} exists with different lines`);
  }),
  restockConflict: problemExample(() => {
    throw new ConflictError('restock key:delivery-2026-01-15 was already sent with different lines');
  }),
  restockInProgress: problemExample(() => {
    throw new RequestInProgressError('restock key:delivery-2026-01-15 is being finished by another request', 1);
  }),
  badLimit: problemExample(() => parseListQuery({ limit: '5000' }, LIMITS.productPage)),
  badMovementLimit: problemExample(() => parseListQuery({ limit: '0' }, LIMITS.movementPage)),
  badOrderList: problemExample(() => parseOrderListQuery({ status: 'shipped', limit: '0' })),
  unknownProduct: problemExample(() => {
    throw new NotFoundError('no product 404404');
  }),
  unavailable: problemExample(() => {
    throw new DependencyUnavailableError('DynamoDB is unreachable');
  }),
};

// ---------------------------------------------------------------------------------------------
// Responses.

const json = (schema: JsonSchema, examples?: Record<string, Example>): Record<string, MediaType> => ({
  'application/json': { schema, ...(examples ? { examples } : {}) },
});

function ok(description: string, schema: string, examples?: Record<string, Example>): ResponseObject {
  return { description, content: json(ref(schema), examples) };
}

/** The status `PROBLEM_TYPES` (problem.ts) answers a kind of problem with, as a response key. */
function statusOf(kind: ProblemKind): string {
  return String(PROBLEM_TYPES[kind].status);
}

/**
 * A problem answer, keyed by the status of its kinds (several kinds may share one answer, then
 * they must share a status). Every example must be of that status, so the document cannot list
 * an example under the wrong code.
 */
function problem(
  kinds: ProblemKind | ProblemKind[],
  description: string,
  examples: Record<string, Example>,
  headers?: Record<string, HeaderObject>,
): Record<string, ResponseObject> {
  const statuses = new Set([kinds].flat().map(statusOf));
  const [status] = statuses;
  if (statuses.size !== 1 || status === undefined) throw new Error(`${[kinds].flat().join(', ')} differ in status`);
  for (const [name, { value }] of Object.entries(examples)) {
    if (String((value as ProblemBody).status) !== status) throw new Error(`example ${name} is not a ${status}`);
  }
  return {
    [status]: {
      description,
      ...(headers ? { headers } : {}),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem'), examples } },
    },
  };
}

const example = (summary: string, value: unknown): Example => ({ summary, value });

/** The body-reading answers every POST shares (functions/http/request-body.ts). */
function bodyProblems(
  malformed: ProblemBody,
  invalid: ProblemBody,
  invalidCases: string,
): Record<string, ResponseObject> {
  return {
    ...problem(
      'malformedRequest',
      'Malformed request: the body is not JSON (or not UTF-8, or repeats a key in one object), a value has the wrong JSON type, or a required field is missing. ' +
        'Every bad field is listed in `errors`. Nothing changed.',
      {
        wrongType: example('A field of the wrong type or missing', malformed),
        notJson: example('Not JSON', problems.notJson),
      },
    ),
    ...problem('payloadTooLarge', `The body is over ${MAX_BODY_BYTES} bytes (256 KiB). Nothing changed.`, {
      tooLarge: example('Body too large', problems.tooLarge),
    }),
    ...problem(
      'unsupportedMediaType',
      'The Content-Type is not JSON: send `application/json` (or any `application/*+json`), UTF-8. An absent Content-Type is accepted. Nothing changed.',
      { notJson: example('text/plain', problems.notJsonType) },
    ),
    ...problem(
      'invalidValue',
      `Invalid value: the right JSON types but a disallowed value (${invalidCases}). Every bad field is listed. Nothing changed.`,
      {
        invalid: example('A value out of range', invalid),
      },
    ),
  };
}

const WWW_AUTHENTICATE: Record<string, HeaderObject> = {
  'WWW-Authenticate': {
    description: 'The bearer challenge, e.g. `Bearer error="insufficient_scope", scope="..."` (RFC 6750).',
    schema: { type: 'string' },
  },
};

const AUTH_RESPONSES: Record<string, ResponseObject> = {
  [statusOf('unauthorized')]: {
    headers: WWW_AUTHENTICATE,
    description:
      'No valid access token: missing, expired, or not issued for this API. In AWS the HTTP API JWT authorizer answers this itself ' +
      'with `{"message": "Unauthorized"}`; the local server (`npm start -- --auth`) answers a problem.',
    content: {
      [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') },
      'application/json': {
        schema: ref('GatewayMessage'),
        examples: { gateway: example('API Gateway', { message: 'Unauthorized' }) },
      },
    },
  },
  [statusOf('forbidden')]: {
    headers: WWW_AUTHENTICATE,
    description:
      'The access token lacks this route\'s scope. In AWS the JWT authorizer answers this itself with `{"message": "Forbidden"}`; ' +
      'the local server answers a problem.',
    content: {
      [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') },
      'application/json': {
        schema: ref('GatewayMessage'),
        examples: { gateway: example('API Gateway', { message: 'Forbidden' }) },
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Operations, one per route of functions/routes.ts. Paths, methods and scopes come from the
// route table; what is written here is what a reader needs to know about each.

type OperationText = Omit<OperationObject, 'security'>;

const ORDER_ID_PARAMETER: ParameterObject = {
  name: 'order_id',
  in: 'path',
  required: true,
  description:
    'The order id as given when the order was placed. An all-digit segment names an integer id, in its canonical spelling only ' +
    '(`7`, not `007`); anything else is a string id. An id that cannot exist answers 404 like an unknown order.',
  schema: ref('OrderId'),
  example: CLASSIC_ORDER_ID,
};

const LIMIT_PARAMETER: ParameterObject = {
  name: 'limit',
  in: 'query',
  required: false,
  description: `Products per page, ${LIMITS.productPage.min} to ${LIMITS.productPage.max} (default ${LIMITS.productPage.default}).`,
  schema: { type: 'integer', minimum: LIMITS.productPage.min, maximum: LIMITS.productPage.max },
  example: 100,
};

const CURSOR_PARAMETER: ParameterObject = {
  name: 'cursor',
  in: 'query',
  required: false,
  description:
    'The `next_cursor` of the previous page (opaque). A walk never repeats or skips a product that existed for the whole walk.',
  schema: { type: 'string' },
};

const PRODUCT_ID_PARAMETER: ParameterObject = {
  name: 'product_id',
  in: 'path',
  required: true,
  description: 'The product id, all digits in its canonical spelling (`7`, not `007`); anything else answers 404.',
  schema: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  example: 10,
};

const MOVEMENT_LIMIT_PARAMETER: ParameterObject = {
  name: 'limit',
  in: 'query',
  required: false,
  description: `Movements per page, ${LIMITS.movementPage.min} to ${LIMITS.movementPage.max} (default ${LIMITS.movementPage.default}).`,
  schema: { type: 'integer', minimum: LIMITS.movementPage.min, maximum: LIMITS.movementPage.max },
  example: 100,
};

const ORDER_LIST_PARAMETERS: ParameterObject[] = [
  {
    name: 'status',
    in: 'query',
    required: false,
    description:
      '`waiting`: orders with units still waiting, in the order restocks serve them (by priority, then oldest first). ' +
      '`fulfilled`, `cancelled`, or absent (every order): newest first. An order is listed as fulfilled or cancelled a ' +
      "moment after it settles (from the table's stream, under a second in AWS).",
    schema: { type: 'string', enum: [...ORDER_LIST_STATUSES] },
  },
  {
    name: 'product_id',
    in: 'query',
    required: false,
    description:
      'With `status=waiting`: the orders waiting for this product, in its serve order (strongly consistent). ' +
      'Otherwise: the orders that requested it. An unknown product answers 404.',
    schema: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
  {
    name: 'priority',
    in: 'query',
    required: false,
    description: 'Only orders of this priority.',
    schema: { type: 'string', enum: [...PRIORITIES] },
  },
  {
    name: 'limit',
    in: 'query',
    required: false,
    description:
      `Orders per page, ${LIMITS.orderPage.min} to ${LIMITS.orderPage.max} (default ${LIMITS.orderPage.default}). ` +
      'A page may hold fewer when a filter matched little of what it read; follow `next_cursor` until it is null.',
    schema: { type: 'integer', minimum: LIMITS.orderPage.min, maximum: LIMITS.orderPage.max },
    example: 100,
  },
];

const IDEMPOTENCY_KEY_PARAMETER: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes the restock safe to retry: the same key with the same body (the same per-product quantities after merging) answers ' +
    'the first answer and changes nothing; with a different body, 409. Keys are remembered at least 24 hours; only successful ' +
    'requests are remembered. A key that is not 1 to 255 visible ASCII characters answers 422.',
  schema: { type: 'string', pattern: '^[!-~]{1,255}$' },
  example: 'delivery-2026-01-15',
};

const OPERATIONS: Record<string, OperationText> = {
  'POST /inventory/init_catalog': {
    operationId: 'initCatalog',
    summary: 'Load or update the product catalog',
    description:
      'Upserts products. New products start with quantity 0; re-sending a product updates its name and mass and never touches stock. ' +
      'All or nothing: with any invalid entry, nothing is stored.',
    tags: ['catalog'],
    requestBody: {
      required: true,
      description: 'A JSON array of products.',
      content: json(ref('CatalogRequest'), {
        classic: example('The blood-products catalog of the classic exercise', classic.product_info),
        assigned: example('Without product_id: one is assigned', [{ product_name: 'PLT A+', mass_g: 120 }]),
      }),
    },
    responses: {
      '201': ok('The products as stored, in the order given, with their stock.', 'ProductList', {
        classic: example('After loading the classic catalog', {
          products: classic.product_info
            .slice(0, 2)
            .map((p) => ({ ...p, emergency_reserve: 0, quantity: 0, backordered: 0, written_off: 0, lots: [] })),
        }),
      }),
      ...bodyProblems(
        problems.catalogMalformed,
        problems.catalogInvalid,
        'mass outside 1..1800 g, a name of 0 or over 200 characters, a product_id given twice, too few or too many entries',
      ),
    },
  },
  'POST /inventory/process_restock': {
    operationId: 'processRestock',
    summary: 'Add stock and fill backorders',
    description:
      'Adds stock, then fills waiting orders oldest first for each product, in the fewest packages, before anyone else gets a unit. ' +
      'The answer lists every package this restock caused. When more orders wait than one request may fill in its time budget, ' +
      '`draining` is true and the rest is filled asynchronously (within a minute in AWS). The same restock also arrives as ' +
      'EventBridge `Restock` events, whose event id is the idempotency key.',
    tags: ['stock'],
    parameters: [IDEMPOTENCY_KEY_PARAMETER],
    requestBody: {
      required: true,
      description:
        'A JSON array of lines {product_id, quantity, lot?, expires_at?}. A lot keeps the expiry its first restock gave it; ' +
        '`expires_at` needs a lot; an expired or recalled lot is refused.',
      content: json(ref('RestockRequest'), {
        classic: example('The restock of the classic exercise', classic.restock),
        lots: example('Platelets in two lots with their expiry', [
          { product_id: 0, quantity: 12, lot: 'PLT-2612-01', expires_at: '2026-12-06T00:00:00Z' },
          { product_id: 0, quantity: 8, lot: 'PLT-2612-02', expires_at: '2026-12-07T00:00:00Z' },
        ]),
      }),
    },
    responses: {
      '200': ok(
        'What the restock did; a replay with the same Idempotency-Key answers the first answer.',
        'RestockAnswer',
        {
          classic: example('The classic restock, with order 123 waiting: two packages', {
            restocked: [...classic.restock]
              .sort((a, b) => a.product_id - b.product_id)
              .map((l) => ({ ...l, lot: null })),
            shipments: classicShipments,
            draining: false,
          }),
        },
      ),
      ...bodyProblems(
        problems.restockMalformed,
        problems.restockInvalid,
        'a quantity outside 1..1,000,000, a negative or non-integer product_id, too few or too many lines, a bad Idempotency-Key',
      ),
      ...problem(
        'notFound',
        'A product_id is not in the catalog (kept from the original service; an order answers 422). Nothing changed.',
        {
          unknownProduct: example('Unknown product', problems.unknownRestockProduct),
        },
      ),
      ...problem(
        ['conflict', 'requestInProgress'],
        'The Idempotency-Key was used with a different body (type `.../conflict`); or the first request with this key is still ' +
          'being applied (type `.../request-in-progress`, with Retry-After): retry after that many seconds. Never applied twice.',
        {
          conflict: example('Same key, different body', problems.restockConflict),
          inProgress: example('The first request with this key is still at work', problems.restockInProgress),
        },
        {
          'Retry-After': {
            description: 'Only with `request-in-progress`: whole seconds to wait before retrying.',
            schema: { type: 'integer', minimum: 1 },
          },
        },
      ),
    },
  },
  'POST /inventory/write_offs': {
    operationId: 'writeOff',
    summary: 'Write off units (damaged, expired, recalled, ...)',
    description:
      'Units leave stock without being shipped, each line with its reason: all or nothing, never below zero, each line a ' +
      '`write_off` movement in the ledger and a `StockWrittenOff` event. Lines naming the same product, lot and reason are ' +
      'merged; a write-off holds at most 98 such lines (one transaction). Until lots are kept, every unit is in the ' +
      "product's unnamed lot: a line naming a lot finds none on hand (422). Idempotent like a restock.",
    tags: ['stock'],
    parameters: [IDEMPOTENCY_KEY_PARAMETER],
    requestBody: {
      required: true,
      description: 'A JSON array of lines {product_id, quantity, reason, lot?, note?}.',
      content: json(ref('WriteOffRequest'), {
        broken: example('A platelet bag dropped on the tarmac', [
          { product_id: 6, quantity: 1, reason: 'damaged', note: 'bag punctured at unloading' },
        ]),
      }),
    },
    responses: {
      '200': ok(
        'What was written off; a replay with the same Idempotency-Key answers the first answer.',
        'WriteOffAnswer',
        {
          broken: example('One unit written off', {
            written_off: [{ product_id: 6, lot: null, quantity: 1, reason: 'damaged' }],
          }),
        },
      ),
      ...bodyProblems(
        problems.writeOffMalformed,
        problems.writeOffInvalid,
        'a reason not in the list, a quantity outside 1..1,000,000, more units than on hand (nothing changes), too many lines',
      ),
      ...problem('notFound', 'A product_id is not in the catalog (checked before quantities). Nothing changed.', {
        unknownProduct: example('Unknown product', problems.unknownRestockProduct),
      }),
      ...problem('conflict', 'The Idempotency-Key was used with other lines. Nothing changed.', {
        conflict: example('Same key, other lines', problems.writeOffConflict),
      }),
    },
  },
  'POST /inventory/process_order': {
    operationId: 'processOrder',
    summary: 'Place an order',
    description:
      'Ships what is on hand now, in the fewest packages of at most 1800 g; the rest is backordered and filled by later restocks, ' +
      'oldest order first. A new order never takes a unit that an older order is waiting for. Sending an existing order_id with ' +
      'the same lines is a replay: 200 with the current view, nothing changes.',
    tags: ['orders'],
    requestBody: {
      required: true,
      description: 'An order: optional order_id and its requested lines.',
      content: json(ref('OrderRequest'), {
        classic: example('Order 123 of the classic exercise', classic.order),
        assigned: example('Without order_id: one is assigned', { requested: [{ product_id: 7, quantity: 3 }] }),
      }),
    },
    responses: {
      '201': ok('The order was created; its view.', 'OrderView', {
        backordered: example('Order 123 on an empty inventory: everything waits', classicOrderCreated),
      }),
      '200': ok('A replay (same order_id, same lines after merging): the current view, nothing changed.', 'OrderView', {
        fulfilled: example('Order 123 after the classic restock', {
          ...classicOrderCreated,
          status: 'fulfilled',
          shipped: classic.order.requested,
          backordered: [],
          shipments: classicShipments,
        }),
      }),
      ...bodyProblems(
        problems.orderMalformed,
        problems.orderInvalid,
        'a quantity outside 1..10,000, an order_id not matching its pattern, a product_id not in the catalog, too few or too many lines',
      ),
      ...problem('conflict', 'The order_id exists with different lines. Nothing changed.', {
        conflict: example('Same order_id, different lines', problems.orderConflict),
      }),
    },
  },
  'GET /inventory/orders/{order_id}': {
    operationId: 'getOrder',
    summary: 'Read one order',
    description: 'The order with what has shipped, what waits and every package, oldest first.',
    tags: ['orders'],
    parameters: [ORDER_ID_PARAMETER],
    responses: {
      '200': ok('The order.', 'OrderView', {
        partial: example('Partially shipped', {
          ...classicOrderCreated,
          status: 'partially_shipped',
          shipped: [
            { product_id: 0, quantity: 2 },
            { product_id: 10, quantity: 1 },
          ],
          backordered: [{ product_id: 10, quantity: 3 }],
          shipments: [classicShipments[0]],
        }),
      }),
      ...problem('notFound', 'No such order.', { unknownOrder: example('Unknown order', problems.unknownOrder) }),
    },
  },
  'POST /inventory/orders/{order_id}/cancel': {
    operationId: 'cancelOrder',
    summary: 'Cancel an order',
    description:
      'Every unit that has not shipped stops waiting; packages already shipped stay shipped. Atomic against a restock filling ' +
      'the same order: each unit is either shipped or cancelled, never both. Cancelling a cancelled order changes nothing and ' +
      'answers its view.',
    tags: ['orders'],
    parameters: [ORDER_ID_PARAMETER],
    requestBody: {
      required: false,
      description: 'Optional: a reason, kept on the order (`cancel_reason`).',
      content: json(ref('CancelRequest'), {
        reason: example('With a reason', { reason: 'patient transferred' }),
      }),
    },
    responses: {
      '200': ok('The order, cancelled: `cancelled` lists the units that no longer wait.', 'OrderView', {
        cancelled: example('Order 123 cancelled after its first package', {
          ...classicOrderCreated,
          status: 'cancelled',
          shipped: [
            { product_id: 0, quantity: 2 },
            { product_id: 10, quantity: 1 },
          ],
          backordered: [],
          cancelled: [{ product_id: 10, quantity: 3 }],
          shipments: [classicShipments[0]],
          cancelled_at: EXAMPLE_TIME,
          cancel_reason: 'patient transferred',
        }),
      }),
      ...bodyProblems(problems.cancelMalformed, problems.cancelInvalid, 'a reason over 500 characters'),
      ...problem('notFound', 'No such order.', { unknownOrder: example('Unknown order', problems.unknownOrder) }),
      ...problem('orderComplete', 'Everything the order requested has shipped: nothing to cancel. Nothing changed.', {
        complete: example('A fulfilled order', problems.orderComplete),
      }),
    },
  },
  'GET /inventory/orders': {
    operationId: 'listOrders',
    summary: 'List orders: who waits, what was fulfilled or cancelled',
    description:
      'Order lists read from indexes, never a scan. Waiting orders are shown as they are at the time of the request; ' +
      'an order that stopped waiting meanwhile is left out of the page.',
    tags: ['orders'],
    parameters: [...ORDER_LIST_PARAMETERS, CURSOR_PARAMETER],
    responses: {
      '200': ok('One page of the list.', 'OrderPage', {
        waiting: example('Who waits for product 10: an emergency order served before an older routine one', {
          orders: [
            {
              order_id: 'icu-7',
              priority: 'emergency',
              status: 'backordered',
              requested: [{ product_id: 10, quantity: 2 }],
              shipped: [],
              backordered: [{ product_id: 10, quantity: 2 }],
              cancelled: [],
              created_at: '2026-12-01T09:30:00.000Z',
              packages: 0,
            },
            {
              order_id: CLASSIC_ORDER_ID,
              priority: 'routine',
              status: 'partially_shipped',
              requested: [{ product_id: 10, quantity: 4 }],
              shipped: [{ product_id: 10, quantity: 1 }],
              backordered: [{ product_id: 10, quantity: 3 }],
              cancelled: [],
              created_at: '2026-12-01T09:00:00.000Z',
              packages: 1,
            },
          ],
          next_cursor: null,
        }),
      }),
      ...problem(
        'invalidValue',
        'A `status`, `priority`, `product_id` or `limit` not allowed, or a cursor this service did not give.',
        {
          badQuery: example('Unknown status and limit out of range', problems.badOrderList),
        },
      ),
      ...problem('notFound', 'No such product.', {
        unknownProduct: example('Unknown product', problems.unknownProduct),
      }),
    },
  },
  'GET /inventory/products': {
    operationId: 'listProducts',
    summary: 'List the catalog with stock',
    description:
      'Every product with its units on hand and the units waiting orders still need, by product_id, a page at a time.',
    tags: ['catalog'],
    parameters: [LIMIT_PARAMETER, CURSOR_PARAMETER],
    responses: {
      '200': ok('One page of the catalog.', 'ProductPage', {
        stocked: example('Two products, the last page', {
          products: [
            {
              ...classic.product_info[0],
              emergency_reserve: 0,
              quantity: 28,
              backordered: 0,
              written_off: 0,
              lots: [
                { lot: 'RBC-2611-07', quantity: 20, expires_at: '2026-12-22T00:00:00.000Z', expired: false },
                { lot: null, quantity: 8, expires_at: null, expired: false },
              ],
            },
            {
              ...classic.product_info[10],
              emergency_reserve: 0,
              quantity: 1,
              backordered: 0,
              written_off: 0,
              lots: [{ lot: null, quantity: 1, expires_at: null, expired: false }],
            },
          ],
          next_cursor: null,
        }),
      }),
      ...problem('invalidValue', 'A `limit` out of range, or a cursor this service did not give.', {
        badLimit: example('Limit out of range', problems.badLimit),
      }),
    },
  },
  'GET /inventory/products/{product_id}/movements': {
    operationId: 'listMovements',
    summary: "A product's movement ledger",
    description:
      "Every change of the product's units on hand, in commit order, with the units on hand right after it: restocks (+), " +
      'shipments (-, with the packages that carried the product) and write-offs (-). Summing them gives the units on hand at ' +
      "every step. Movements are listed from the table's stream a moment after they commit (under a second in AWS).",
    tags: ['stock'],
    parameters: [PRODUCT_ID_PARAMETER, MOVEMENT_LIMIT_PARAMETER, CURSOR_PARAMETER],
    responses: {
      '200': ok('One page of the ledger.', 'MovementPage', {
        classic: example('The classic exercise: product 10 restocked, then shipped to order 123', {
          movements: [
            {
              movement_id: '10-1',
              at: EXAMPLE_TIME,
              kind: 'restock',
              product_id: 10,
              lot: null,
              quantity: 4,
              on_hand_after: 4,
              ref: { restock_key: 'delivery-2026-12-01-a' },
            },
            {
              movement_id: '10-2',
              at: EXAMPLE_TIME,
              kind: 'shipment',
              product_id: 10,
              lot: null,
              quantity: -4,
              on_hand_after: 0,
              ref: { order_id: CLASSIC_ORDER_ID, shipment_ids: ['mi3x0a1b2c3d4e5f6-1', 'mi3x0a1b2c3d4e5f6-2'] },
            },
          ],
          next_cursor: null,
        }),
      }),
      ...problem('invalidValue', 'A `limit` out of range, or a cursor this service did not give.', {
        badLimit: example('Limit out of range', problems.badMovementLimit),
      }),
      ...problem('notFound', 'No such product.', {
        unknownProduct: example('Unknown product', problems.unknownProduct),
      }),
    },
  },
  'GET /health': {
    operationId: 'health',
    summary: 'Health check',
    description: 'One cheap DynamoDB call. Public.',
    tags: ['service'],
    responses: {
      '200': ok('DynamoDB answers.', 'Health', { ok: example('Healthy', { status: 'ok', version: '0.2.0' }) }),
      ...problem('dependencyUnavailable', 'DynamoDB is unreachable: the only 5xx the service answers on purpose.', {
        unavailable: example('DynamoDB unreachable', problems.unavailable),
      }),
    },
  },
  'GET /openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI document',
    description: 'OpenAPI 3.1, generated from the schemas that validate requests and describe responses. Public.',
    tags: ['service'],
    responses: {
      '200': {
        description: 'The document; it changes only with a deploy (ETag, cacheable for a few minutes).',
        content: json({ type: 'object', description: 'An OpenAPI 3.1 document.' }),
      },
      '304': { description: 'Not modified: the If-None-Match header names the current ETag.' },
    },
  },
  'GET /docs': {
    operationId: 'getDocsPage',
    summary: 'Human-readable API documentation',
    description: 'This document as one self-contained HTML page (no scripts, no external assets). Public.',
    tags: ['service'],
    responses: {
      '200': {
        description: 'The page.',
        content: { 'text/html': { schema: { type: 'string' } } },
      },
      '304': { description: 'Not modified: the If-None-Match header names the current ETag.' },
    },
  },
  'GET /console': {
    operationId: 'getConsole',
    summary: "The operators' console",
    description:
      'A web page for the people who run the stock: stock per product drawn as bars, waiting orders by priority and age, ' +
      "an order with its packages, a product's movements, and forms to add products, restock, place and cancel orders and " +
      'write off units. Self-contained (no external asset) under a strict Content-Security-Policy. The page is public; ' +
      "its calls go to this API with the operator's token and need the scopes of the routes they call.",
    tags: ['service'],
    responses: {
      '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
    },
  },
};

/** What each scope allows, from the route table. */
function scopeList(): string {
  return ACCESS_SCOPES.map((scope) => {
    const granted = routes.filter((r) => r.scope === scope).map((r) => `${r.method} ${r.path}`);
    return `- \`${scope}\` (in a token: \`${qualifiedScope(scope)}\`): ${granted.join(', ') || 'no route yet'}`;
  }).join('\n');
}

/** The API clients (Cognito app clients in AWS, development tokens locally) and their scopes. */
function clientList(): string {
  return Object.entries(API_CLIENTS)
    .map(
      ([name, client]) => `- \`${name}\` (${client.description}): ${client.scopes.map((s) => `\`${s}\``).join(', ')}`,
    )
    .join('\n');
}

function operationFor(route: Route): OperationObject {
  const text = OPERATIONS[`${route.method} ${route.path}`];
  if (!text) throw new Error(`functions/http/openapi.ts documents no operation for ${route.method} ${route.path}`);
  const security = route.scope ? [{ [SECURITY_SCHEME]: [route.scope] }] : [];
  const responses = route.scope ? { ...text.responses, ...AUTH_RESPONSES } : text.responses;
  const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
  return { ...text, security, responses: sorted };
}

/** The scope a route requires as the document states it; `undefined` for a public route. */
export function documentedScope(operation: OperationObject): AccessScope | undefined {
  return operation.security[0]?.[SECURITY_SCHEME]?.[0] as AccessScope | undefined;
}

export function buildOpenApiDocument(version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase() as HttpMethod] = operationFor(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fulfillment service',
      version,
      summary:
        'Catalog, stock, orders shipped in packages of at most 1800 g, backorders filled by priority, then oldest first.',
      description: [
        'Keeps a product catalog and stock levels, turns orders into packages of at most 1800 g and fills backorders, by priority then oldest first, when stock arrives.',
        '',
        '- Every request with a body takes JSON (`Content-Type: application/json`); a request with any invalid part changes nothing.',
        '- Every GET route also answers HEAD: the same status and headers (`Content-Length` included), no body.',
        `- Errors are \`${PROBLEM_CONTENT_TYPE}\` (RFC 9457): \`{type, title, status, detail, errors?}\`, \`errors\` listing \`{path, message}\` per bad field; types start with \`${PROBLEM_TYPE_BASE}\`. Bad input never answers 5xx.`,
        '- A trailing slash on a path is accepted.',
        '- Every response carries `X-Content-Type-Options: nosniff` and `X-Frame-Options: DENY`; API answers are `Cache-Control: no-store`.',
        '- In AWS, API Gateway may answer 429 (throttled) or 503 (function timeout) by itself, with `{"message": ...}`.',
      ].join('\n'),
    },
    tags: [
      { name: 'catalog', description: 'Products and their stock levels.' },
      { name: 'stock', description: 'Restocks, which fill waiting orders first.' },
      { name: 'orders', description: 'Orders, their packages and backorders.' },
      { name: 'service', description: 'Health and documentation; public.' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: [
            'An OAuth 2.0 access token (JWT) in `Authorization: Bearer <token>`.',
            "In AWS, get one from the Cognito user pool's token endpoint (stack output `TokenUrl`, `/oauth2/token`) with the " +
              "client-credentials grant, using an app client's id and secret; Cognito prefixes each scope with the resource server's id.",
            'Locally, `npm start -- --auth` prints a development token per client; plain `npm start` needs no token.',
            '',
            'Scopes:',
            scopeList(),
            '',
            'Clients:',
            clientList(),
          ].join('\n'),
        },
      },
    },
  };
}
