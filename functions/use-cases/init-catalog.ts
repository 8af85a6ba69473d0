/**
 * init_catalog: upsert products. Name, mass and reserve change; stock never does. Products
 * without an id get one from the counter; a counter id that an explicit upsert already took is
 * refused by its creation's condition and replaced.
 *
 * A lowered emergency reserve frees units for urgent and routine orders that wait: they are
 * drained at once, before the answer (SPEC rule 8), and the answer shows the stock after.
 */
import { randomUUID } from 'node:crypto';
import type { ProductView } from '../domain/model.js';
import { hasDrainWork } from '../domain/priority.js';
import { toProductView } from '../domain/model.js';
import type { CatalogEntry as RequestedEntry } from '../domain/requests.js';
import {
  advanceProductIdsPast,
  type CatalogEntry,
  createProducts,
  getProducts,
  reserveProductIds,
  upsertProducts,
} from '../store/catalog-store.js';
import { rememberProducts } from './catalog-cache.js';
import { fillBackorders } from './fill-backorders.js';

const MAX_ID_ATTEMPTS = 5;

export async function initCatalog(entries: RequestedEntry[], deadline: number): Promise<ProductView[]> {
  const explicit = entries.filter((e): e is CatalogEntry => e.product_id !== undefined);
  if (explicit.length > 0) await advanceProductIdsPast(Math.max(...explicit.map((e) => e.product_id)));
  await upsertProducts(explicit);

  const assigned = await createWithAssignedIds(entries.filter((e) => e.product_id === undefined));
  let next = 0;
  const ids = entries.map((e) => e.product_id ?? assigned[next++]!);
  let products = await getProducts(ids);
  const reserveGiven = new Set(explicit.filter((e) => e.emergency_reserve !== undefined).map((e) => e.product_id));
  const freed = [...products.values()].filter((p) => reserveGiven.has(p.product_id) && hasDrainWork(p));
  if (freed.length > 0) {
    // A product another drain holds is left to it: its release is conditioned on no work left.
    await fillBackorders(
      freed.map((p) => p.product_id),
      { requestId: `catalog:${randomUUID()}`, deadline, waitForLeases: false },
    );
    products = await getProducts(ids);
  }
  rememberProducts(products.values());
  return ids.map((id) => toProductView(products.get(id)!));
}

/** Ids for entries without one, in their order; ids an explicit upsert took meanwhile are replaced. */
async function createWithAssignedIds(entries: RequestedEntry[]): Promise<number[]> {
  const ids: number[] = new Array(entries.length);
  let pending = entries.map((_, index) => index);
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_ID_ATTEMPTS) throw new Error('could not assign free product ids');
    const fresh = await reserveProductIds(pending.length);
    const tries = pending.map((index, i) => ({ index, entry: { ...entries[index]!, product_id: fresh[i]! } }));
    const taken = new Set((await createProducts(tries.map((t) => t.entry))).map((e) => e.product_id));
    for (const t of tries) if (!taken.has(t.entry.product_id)) ids[t.index] = t.entry.product_id;
    pending = tries.filter((t) => taken.has(t.entry.product_id)).map((t) => t.index);
  }
  return ids;
}
