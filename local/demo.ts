/**
 * `npm run demo`: plays the original logistics exercise against a running service
 * (`npm start` in another terminal): load the blood-products catalog, place the classic order
 * on whatever is in stock, restock, and show the packages that go out. Then emergencies first:
 * a routine order waits, a newer emergency order waits behind it, and the next restock serves
 * the emergency first (SPEC rule 4). A write-off and the ledger; then platelets in two lots, the
 * one that expires first shipped first, and a recall that names every package of its lot.
 *
 * The order gets a fresh id each run, because replaying an order_id with the same lines changes
 * nothing (SPEC "Order replay"); re-runs on a persisted database therefore still show shipping.
 * Usage: npm run demo [-- path/to/exercise.json]     (PORT selects the service, default 3000)
 */
import { readFileSync } from 'node:fs';

interface Line {
  product_id: number;
  quantity: number;
}
interface Exercise {
  product_info: { product_id?: number; product_name: string; mass_g: number }[];
  order: { order_id?: string | number; requested: Line[] };
  restock: Line[];
}
interface Shipment {
  shipment_id: string;
  order_id: string | number;
  shipped: Array<Line & { lots?: Array<{ lot: string | null; quantity: number }> }>;
  mass_g: number;
}
interface LotView {
  lot: string;
  recalled: boolean;
  shipped: number;
  written_off: number;
  shipments: Array<{ order_id: string | number; shipment_id: string; quantity: number; shipped_at: string }>;
}
interface OrderView {
  order_id: string | number;
  priority: string;
  status: string;
  shipped: Line[];
  backordered: Line[];
  shipments: Shipment[];
}
interface RestockAnswer {
  restocked: Line[];
  shipments: Shipment[];
  draining: boolean;
}

const baseUrl = `http://127.0.0.1:${process.env.PORT || 3000}`;
const exerciseFile = process.argv[2] ?? new URL('../functions/data/classic-exercise.json', import.meta.url);
const exercise = JSON.parse(readFileSync(exerciseFile, 'utf8')) as Exercise;
const productNames = new Map(exercise.product_info.map((p) => [p.product_id, p.product_name]));

try {
  await checkServiceIsUp();
  console.log(`Playing the classic exercise against ${baseUrl}\n`);

  const catalog = await call<{ products: unknown[] }>('POST', '/inventory/init_catalog', exercise.product_info);
  console.log(`1. Catalog: ${catalog.products.length} products loaded`);

  const orderId = `demo-${Date.now()}`;
  console.log(`2. Order ${orderId} asks for ${describeLines(exercise.order.requested)}`);
  const order = await call<OrderView>('POST', '/inventory/process_order', { ...exercise.order, order_id: orderId });
  printOrder(order);
  printPackages(order.shipments);

  const units = exercise.restock.reduce((sum, line) => sum + line.quantity, 0);
  console.log(`3. Restock: ${units} units of ${exercise.restock.length} products`);
  const restock = await call<RestockAnswer>('POST', '/inventory/process_restock', exercise.restock);
  if (restock.shipments.length === 0) console.log('   no waiting order needed these units');
  printPackages(restock.shipments);
  if (restock.draining) console.log('   (more waiting orders are being filled in the background)');

  const final = await call<OrderView>('GET', `/inventory/orders/${encodeURIComponent(orderId)}`);
  console.log(`4. Afterwards:`);
  printOrder(final);

  await emergenciesFirst();
  await writeOffAndLedger();
  await lotsAndRecall();
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

/** A routine order waits; a newer emergency order waits too; a small restock goes to the emergency. */
async function emergenciesFirst(): Promise<void> {
  const productId = exercise.product_info[0]?.product_id ?? 0;
  const { products } = await call<{ products: Array<{ product_id: number; quantity: number }> }>(
    'GET',
    '/inventory/products',
  );
  const onHand = products.find((p) => p.product_id === productId)?.quantity ?? 0;
  const routineId = `demo-routine-${Date.now()}`;
  const emergencyId = `demo-emergency-${Date.now()}`;
  console.log(`5. Emergencies first: a routine order ${routineId} asks for ${onHand + 2} (all on hand and 2 more)`);
  printOrder(
    await call<OrderView>('POST', '/inventory/process_order', {
      order_id: routineId,
      priority: 'routine',
      requested: [{ product_id: productId, quantity: onHand + 2 }],
    }),
  );
  console.log(`   then an emergency order ${emergencyId} asks for 2`);
  printOrder(
    await call<OrderView>('POST', '/inventory/process_order', {
      order_id: emergencyId,
      priority: 'emergency',
      requested: [{ product_id: productId, quantity: 2 }],
    }),
  );
  const waiting = await call<{ orders: Array<{ order_id: string | number; priority: string }> }>(
    'GET',
    `/inventory/orders?status=waiting&product_id=${productId}`,
  );
  console.log(
    `   who waits for product ${productId}, in serve order (GET /inventory/orders?status=waiting&product_id=${productId}): ` +
      waiting.orders.map((o) => `${o.order_id} (${o.priority})`).join(', '),
  );
  console.log('   a restock of 2 arrives: the emergency order is served first, though it is newer');
  const restock = await call<RestockAnswer>('POST', '/inventory/process_restock', [
    { product_id: productId, quantity: 2 },
  ]);
  printPackages(restock.shipments);
  for (const id of [emergencyId, routineId]) {
    printOrder(await call<OrderView>('GET', `/inventory/orders/${encodeURIComponent(id)}`));
  }
}

/** A unit is written off (damaged); the product's movement ledger shows it after the restocks and shipments. */
async function writeOffAndLedger(): Promise<void> {
  const { products } = await call<{ products: Array<{ product_id: number; quantity: number }> }>(
    'GET',
    '/inventory/products',
  );
  const product = products.find((p) => p.quantity > 0);
  if (!product) return;
  const name = `${productNames.get(product.product_id) ?? 'product'} (${product.product_id})`;
  console.log(`6. Write-off: 1 x ${name} is damaged at unloading`);
  await call('POST', '/inventory/write_offs', [
    { product_id: product.product_id, quantity: 1, reason: 'damaged', note: 'bag punctured at unloading' },
  ]);
  // Movements are listed from the table's stream a moment after they commit.
  type Movement = {
    movement_id: string;
    kind: string;
    quantity: number;
    on_hand_after: number;
    ref: { reason?: string };
  };
  let movements: Movement[] = [];
  for (let attempt = 0; attempt < 50 && !movements.some((m) => m.kind === 'write_off'); attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    ({ movements } = await call<{ movements: Movement[] }>(
      'GET',
      `/inventory/products/${product.product_id}/movements?limit=1000`,
    ));
  }
  console.log(`   its movements (GET /inventory/products/${product.product_id}/movements):`);
  for (const m of movements) {
    const reason = m.ref.reason ? ` (${m.ref.reason})` : '';
    console.log(
      `   ${m.movement_id}: ${m.kind} ${m.quantity > 0 ? '+' : ''}${m.quantity}${reason}, on hand after: ${m.on_hand_after}`,
    );
  }
}

/**
 * Platelets keep about five days: two lots with different expiry come in, orders take the one that
 * expires first (SPEC rule 9), then a lot is recalled and the LotView names every package that
 * carried it, so that each hospital can be told.
 */
async function lotsAndRecall(): Promise<void> {
  const platelets = exercise.product_info.find((p) => p.product_name.startsWith('PLT'))?.product_id ?? 0;
  const name = `${productNames.get(platelets) ?? 'product'} (${platelets})`;
  const stamp = Date.now().toString(36).toUpperCase();
  const [soon, later] = [`PLT-${stamp}-A`, `PLT-${stamp}-B`];
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
  console.log(`7. Lots: ${name} arrives in two lots, ${later} (12, expires in 5 days) and ${soon} (8, in 2 days)`);
  await call('POST', '/inventory/process_restock', [
    { product_id: platelets, quantity: 12, lot: later, expires_at: inDays(5) },
    { product_id: platelets, quantity: 8, lot: soon, expires_at: inDays(2) },
  ]);
  for (const [hospital, quantity] of [
    ['st-marys', 5],
    ['county', 6],
  ] as const) {
    const order = await call<OrderView>('POST', '/inventory/process_order', {
      order_id: `demo-${hospital}-${stamp}`,
      priority: 'urgent',
      requested: [{ product_id: platelets, quantity }],
    });
    console.log(`   order ${order.order_id} asks for ${quantity}: first expired, first out`);
    printPackages(order.shipments);
  }
  console.log(`   ${soon} is recalled (POST /inventory/recalls): every package that carried it`);
  await call('POST', '/inventory/recalls', { product_id: platelets, lot: soon, reason: 'donor tested positive' });
  // The packages are listed from the table's stream a moment after they ship.
  let view: LotView | undefined;
  for (let attempt = 0; attempt < 50 && (view?.shipped ?? 0) < 8; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    view = await call<LotView>('GET', `/inventory/products/${platelets}/lots/${soon}`);
  }
  for (const s of view?.shipments ?? []) {
    console.log(`   recall reaches order ${s.order_id}: package ${s.shipment_id} with ${s.quantity} of ${soon}`);
  }
  console.log(`   ${soon}: recalled ${view?.recalled}, shipped ${view?.shipped}, written off ${view?.written_off}`);
}

async function checkServiceIsUp(): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/health`);
  } catch {
    throw new Error(
      `The service is not running at ${baseUrl}. Start it in another terminal with \`npm start\`, then run \`npm run demo\` again.`,
    );
  }
  if (!response.ok) {
    throw new Error(`${baseUrl}/health answered ${response.status}: ${await response.text()}`);
  }
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  // TOKEN: a token printed by `npm start -- --auth` (the all-scopes one: the demo loads the
  // catalog, restocks and orders).
  const token = process.env.TOKEN;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new Error(
      `${method} ${path} answered ${response.status}: the server runs with --auth; run TOKEN=<the "all scopes" token it printed> npm run demo\n${text}`,
    );
  }
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}:\n${text}`);
  return JSON.parse(text) as T;
}

function printOrder(order: OrderView): void {
  const parts = [`${order.priority}, status ${order.status}`];
  if (order.shipped.length > 0) parts.push(`shipped ${describeLines(order.shipped)}`);
  if (order.backordered.length > 0) parts.push(`waiting for ${describeLines(order.backordered)}`);
  console.log(`   order ${order.order_id}: ${parts.join('; ')}`);
}

function printPackages(shipments: Shipment[]): void {
  for (const shipment of shipments) {
    // Lots are named only where a lot was given (the classic exercise restocks without lots).
    const lots = shipment.shipped
      .flatMap((line) => line.lots ?? [])
      .filter((t) => t.lot !== null)
      .map((t) => `${t.quantity} from ${t.lot}`);
    console.log(
      `   package ${shipment.shipment_id} for order ${shipment.order_id}: ${describeLines(shipment.shipped)} = ${shipment.mass_g} g` +
        (lots.length > 0 ? ` (${lots.join(', ')})` : ''),
    );
  }
}

/** e.g. `2 x RBC A+ Adult (0), 1 x FFP A+ (10)` */
function describeLines(lines: Line[]): string {
  return lines
    .map((line) => `${line.quantity} x ${productNames.get(line.product_id) ?? 'product'} (${line.product_id})`)
    .join(', ');
}
