/**
 * Catalog data (name, mass, rev) kept by a warm function so an in-stock order needs no read.
 * It may go stale: every write that relies on it is conditioned on the product's `rev`, so a
 * stale mass can never produce a package over 1800 g; it only costs a retry after a re-read.
 */
import type { Product } from '../domain/model.js';

const cache = new Map<number, Product>();

export function rememberProducts(products: Iterable<Product>): void {
  for (const p of products) {
    cache.set(p.product_id, { product_id: p.product_id, product_name: p.product_name, mass_g: p.mass_g, rev: p.rev });
  }
}

/** All of `ids`, or undefined if any is unknown to this function. */
export function cachedProducts(ids: number[]): Map<number, Product> | undefined {
  const out = new Map<number, Product>();
  for (const id of ids) {
    const p = cache.get(id);
    if (!p) return undefined;
    out.set(id, p);
  }
  return out;
}

export function forgetCatalog(): void {
  cache.clear();
}
