/**
 * init_catalog: upsert products. Name and mass change; stock never does. Products without an
 * id get one from the counter; a counter id that an explicit upsert already took is refused
 * by its Put's condition and replaced.
 */
import type { ProductView } from '../domain/model.js';
import { toProductView } from '../domain/model.js';
import type { CatalogEntry as RequestedEntry } from '../domain/requests.js';
import { advanceProductIdsPast, getProducts, reserveProductIds } from '../store/catalog-store.js';
import { createProduct, upsertProduct, type CatalogEntry } from '../store/items/product-item.js';
import { chunk, MAX_TRANSACTION_ITEMS, TransactionCancelled, transactWrite } from '../store/transactions.js';
import { rememberProducts } from './catalog-cache.js';

const MAX_ID_ATTEMPTS = 5;

export async function initCatalog(entries: RequestedEntry[]): Promise<ProductView[]> {
  const explicit = entries.filter((e): e is CatalogEntry => e.product_id !== undefined);
  if (explicit.length > 0) await advanceProductIdsPast(Math.max(...explicit.map((e) => e.product_id)));
  const upserts = explicit.map(upsertProduct);
  for (const part of chunk(upserts, MAX_TRANSACTION_ITEMS)) await transactWrite(part);

  const assigned = await createWithAssignedIds(entries.filter((e) => e.product_id === undefined));
  let next = 0;
  const ids = entries.map((e) => e.product_id ?? assigned[next++]!);
  const products = await getProducts(ids);
  rememberProducts(products.values());
  return ids.map((id) => toProductView(products.get(id)!));
}

async function createWithAssignedIds(entries: RequestedEntry[]): Promise<number[]> {
  const ids: number[] = new Array(entries.length);
  let pending = entries.map((_, i) => i);
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_ID_ATTEMPTS) throw new Error('could not assign free product ids');
    const fresh = await reserveProductIds(pending.length);
    const collided: number[] = [];
    // One product per transaction slot; a collision fails only its own chunk, retried with new ids.
    for (const part of chunk(
      pending.map((index, i) => ({ index, id: fresh[i]! })),
      MAX_TRANSACTION_ITEMS,
    )) {
      try {
        await transactWrite(part.map(({ index, id }) => createProduct({ ...entries[index]!, product_id: id })));
        for (const { index, id } of part) ids[index] = id;
      } catch (error) {
        if (!(error instanceof TransactionCancelled)) throw error;
        collided.push(...part.map((p) => p.index));
      }
    }
    pending = collided;
  }
  return ids;
}
