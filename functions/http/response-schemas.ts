/**
 * What the service answers, as zod schemas: the OpenAPI document (openapi.ts) is generated from
 * them, an integration test (test/integration/api-docs-conformance.test.ts) checks real handler
 * answers against them, and the type checks at the bottom tie them to the TypeScript types the
 * code returns. So the documentation, the types and the answers cannot drift apart unnoticed.
 *
 * Objects are strict: a field the code starts sending without documenting it fails the
 * conformance test instead of appearing silently.
 */
import { z } from 'zod';
import type { FieldError } from '../domain/errors.js';
import type { Line, OrderStatus, OrderView, ProductView, Shipment } from '../domain/model.js';
import type { Movement } from '../domain/movement.js';
import type { WriteOffAnswer } from '../use-cases/write-off.js';
import {
  INTEGER_ORDER_ID_RULE,
  MAX_INTEGER_ORDER_ID,
  type OrderId,
  STRING_ORDER_ID_PATTERN,
  STRING_ORDER_ID_RULE,
} from '../domain/order-id.js';
import { PRIORITIES } from '../domain/priority.js';
import { LIMITS } from '../domain/requests.js';
import type { RestockAnswer } from '../use-cases/restock.js';
import type { ProblemBody } from './problem.js';

/** The string order id of SPEC, as the domain validates it. */
export { STRING_ORDER_ID_PATTERN };

const productId = z.int().min(LIMITS.productId.min).max(LIMITS.productId.max).describe('Product id.');
/** Counts of units: on hand, backordered, shipped. Merged restock lines may exceed one line's limit. */
const units = z.int().min(0).max(Number.MAX_SAFE_INTEGER);
const timestamp = z.iso.datetime().describe('RFC 3339 timestamp in UTC.');

export const OrderIdSchema = z
  .union([z.string().regex(new RegExp(STRING_ORDER_ID_PATTERN)), z.int().min(0).max(MAX_INTEGER_ORDER_ID)])
  .describe(
    `Order id: ${STRING_ORDER_ID_RULE}, or ${INTEGER_ORDER_ID_RULE}. Responses echo it with the JSON type it was given; ` +
      'in a path an all-digit segment names an integer id.',
  );

export const LineSchema = z
  .strictObject({ product_id: productId, quantity: units.min(1) })
  .describe('A quantity of one product; lines are merged by product and sorted by product_id.');

const lotName = z
  .string()
  .nullable()
  .describe(
    'A lot: 1 to 64 of A-Za-z0-9_.:-, or null for the unnamed lot (units restocked without a lot; never expires).',
  );

export const LotTakeSchema = z.strictObject({ lot: lotName, quantity: units.min(1) });

export const LotOnHandSchema = z
  .strictObject({
    lot: lotName,
    quantity: units.min(1).describe("Units of the lot on hand (they count in the product's `quantity`)."),
    expires_at: timestamp.nullable().describe('Null: never expires.'),
    expired: z
      .boolean()
      .describe(
        'True once `expires_at` is past: the units are never shipped, and are written off as `expired` within one sweeper period.',
      ),
  })
  .describe('A lot with units on hand.');

export const ProductViewSchema = z
  .strictObject({
    product_id: productId,
    product_name: z
      .string()
      .describe(`${LIMITS.productNameChars.min} to ${LIMITS.productNameChars.max} Unicode characters.`),
    mass_g: z.int().min(LIMITS.massG.min).max(LIMITS.massG.max).describe('Mass of one unit in grams.'),
    emergency_reserve: z
      .int()
      .min(LIMITS.emergencyReserve.min)
      .max(LIMITS.emergencyReserve.max)
      .describe('Units on hand that only emergency orders may take.'),
    quantity: units.describe('Units on hand: in stock and not promised to anyone.'),
    backordered: units.describe('Units that waiting orders still need.'),
    written_off: units.describe(
      'Units written off so far (damaged, expired, recalled, ...): they left stock unshipped.',
    ),
    lots: z
      .array(LotOnHandSchema)
      .describe(
        'Every lot with units on hand, in the order they are taken: soonest expiry first, the unnamed lot last.',
      ),
  })
  .describe('A product with its stock.');

export const ShipmentSchema = z
  .strictObject({
    shipment_id: z.string().min(1).describe('Stable: a replay shows the same id.'),
    order_id: OrderIdSchema,
    shipped: z
      .array(
        z
          .strictObject({
            product_id: productId,
            quantity: units.min(1),
            lots: z.array(LotTakeSchema).min(1).describe('Where the units came from, first expired first.'),
          })
          .describe('Units of one product in the package, and their lots.'),
      )
      .min(1),
    mass_g: z.int().min(1).max(LIMITS.massG.max).describe('Total mass of the package; never over 1800 g.'),
    shipped_at: timestamp,
  })
  .describe('One package for one order, at most 1800 g.');

export const OrderStatusSchema = z
  .enum(['fulfilled', 'partially_shipped', 'backordered', 'cancelled'])
  .describe(
    '`fulfilled`: everything shipped; `partially_shipped`: some shipped, some waiting; `backordered`: nothing shipped yet, some waiting; ' +
      '`cancelled`: nothing waits any more and some units were cancelled.',
  );

export const PrioritySchema = z
  .enum(PRIORITIES)
  .describe(
    'Waiting orders are served by priority, then oldest first; `emergency` orders may take the emergency reserve.',
  );

export const OrderViewSchema = z
  .strictObject({
    order_id: OrderIdSchema,
    priority: PrioritySchema,
    status: OrderStatusSchema,
    requested: z.array(LineSchema).describe('The requested lines, merged by product.'),
    shipped: z.array(LineSchema).describe('Per-product totals shipped so far (products with a non-zero total).'),
    backordered: z.array(LineSchema).describe('Per-product totals still waiting for stock.'),
    cancelled: z
      .array(LineSchema)
      .describe('Per-product totals cancelled before they shipped; shipped + backordered + cancelled = requested.'),
    shipments: z.array(ShipmentSchema).describe('Every package of the order, oldest first.'),
    created_at: timestamp,
    cancelled_at: timestamp.optional().describe('When the order was cancelled; present once it is.'),
    cancel_reason: z
      .string()
      .nullable()
      .optional()
      .describe('The reason given when it was cancelled (null when none was); present once it is.'),
  })
  .describe('An order, what has shipped and what waits.');

export const OrderSummarySchema = OrderViewSchema.omit({ shipments: true })
  .extend({ packages: units.describe('How many packages the order has had so far.') })
  .describe('An order without its packages, with their count (SPEC v2 OrderSummary).');

export const OrderPageSchema = z
  .strictObject({
    orders: z
      .array(OrderSummarySchema)
      .describe('`status=waiting`: in the order restocks serve them (priority, then oldest). Otherwise newest first.'),
    next_cursor: z.string().nullable().describe('Pass it as `cursor` for the next page; null on the last page.'),
  })
  .describe('One page of an order list.');

export const ProductListSchema = z.strictObject({ products: z.array(ProductViewSchema) });

export const ProductPageSchema = z
  .strictObject({
    products: z.array(ProductViewSchema).describe('Products in product_id order.'),
    next_cursor: z.string().nullable().describe('Pass it as `cursor` for the next page; null on the last page.'),
  })
  .describe('One page of the catalog.');

export const MovementSchema = z
  .strictObject({
    movement_id: z.string().min(1).describe("Stable: the product and its place in the product's ledger."),
    at: timestamp.describe('When the change committed.'),
    kind: z.enum(['restock', 'shipment', 'write_off']),
    product_id: productId,
    lot: z.string().nullable().describe('The lot the units came from or went to; null for the unnamed lot.'),
    quantity: z.int().describe('Signed: + into stock, - out of it.'),
    on_hand_after: units.describe("The product's units on hand right after this movement."),
    ref: z
      .union([
        z.strictObject({ restock_key: z.string() }),
        z.strictObject({ order_id: OrderIdSchema, shipment_ids: z.array(z.string()) }),
        z.strictObject({
          reason: z.enum(['damaged', 'expired', 'recalled', 'temperature_excursion', 'count_correction', 'other']),
          write_off_key: z.string(),
        }),
      ])
      .describe('What caused it: the restock, the order and its packages that carried the product, or the write-off.'),
  })
  .describe("One change of a product's units on hand.");

export const WriteOffAnswerSchema = z
  .strictObject({
    written_off: z
      .array(
        z.strictObject({
          product_id: productId,
          lot: z.string().nullable().describe('The lot written off from; null for the unnamed lot.'),
          quantity: units.min(1),
          reason: z.enum(['damaged', 'expired', 'recalled', 'temperature_excursion', 'count_correction', 'other']),
        }),
      )
      .describe(
        'The lines, merged by product, lot and reason, sorted by product_id; a line without a lot appears once per lot it took from (first expired first).',
      ),
  })
  .describe('What a write-off took from stock.');

export const MovementPageSchema = z
  .strictObject({
    movements: z.array(MovementSchema).describe('In commit order: summing them gives the units on hand at every step.'),
    next_cursor: z.string().nullable().describe('Pass it as `cursor` for the next page; null on the last page.'),
  })
  .describe("One page of a product's movement ledger.");

export const RestockAnswerSchema = z
  .strictObject({
    restocked: z
      .array(z.strictObject({ product_id: productId, quantity: units.min(1), lot: lotName }))
      .describe('The restock, lines merged by product and lot, sorted by product_id then lot.'),
    shipments: z
      .array(ShipmentSchema)
      .describe('Every package this restock caused, created before this answer was sent.'),
    draining: z
      .boolean()
      .describe(
        'True when more waiting orders remained than one request handles in its time budget: the rest is filled asynchronously.',
      ),
  })
  .describe('What a restock did.');

export const HealthSchema = z.strictObject({
  status: z.literal('ok'),
  version: z.string().describe('The deployed version of the service.'),
});

export const FieldErrorSchema = z.strictObject({
  path: z.string().describe('JSON path of the bad field, e.g. `requested[2].quantity`; empty for the whole body.'),
  message: z.string(),
});

export const ProblemSchema = z
  .strictObject({
    type: z.url().describe('URI naming the kind of problem, e.g. https://fulfillment.example/problems/invalid-value.'),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string(),
    errors: z.array(FieldErrorSchema).optional().describe('One entry per bad field; absent when no field is to blame.'),
  })
  .describe('An RFC 9457 problem (application/problem+json).');

/** What API Gateway's JWT authorizer answers by itself (401/403 in AWS); not a problem body. */
export const GatewayMessageSchema = z.strictObject({ message: z.string() });

// ---------------------------------------------------------------------------------------------
// The schemas and the code's types must describe the same values: each line below fails to
// compile when one side gains, loses or changes a field.

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Agrees<T extends true> = T;

export type TypesAgree = [
  Agrees<Same<z.output<typeof OrderIdSchema>, OrderId>>,
  Agrees<Same<z.output<typeof LineSchema>, Line>>,
  Agrees<Same<z.output<typeof ProductViewSchema>, ProductView>>,
  Agrees<Same<z.output<typeof ShipmentSchema>, Shipment>>,
  Agrees<Same<z.output<typeof OrderStatusSchema>, OrderStatus>>,
  Agrees<Same<z.output<typeof OrderViewSchema>, OrderView>>,
  Agrees<Same<z.output<typeof RestockAnswerSchema>, RestockAnswer>>,
  Agrees<Same<z.output<typeof MovementSchema>, Movement>>,
  Agrees<Same<z.output<typeof WriteOffAnswerSchema>, WriteOffAnswer>>,
  Agrees<Same<z.output<typeof FieldErrorSchema>, FieldError>>,
  Agrees<Same<z.output<typeof ProblemSchema>, ProblemBody>>,
];
