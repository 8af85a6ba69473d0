/**
 * An order too large for one transaction (up to 100 lines) is created with no line allocated,
 * then allocated part by part, each part on the products as they are at that moment (each a
 * guarded transaction), and packed once at the end (SPEC rule 2). The request that created it
 * does this at once; if it dies, the sweeper finishes from what the order records (rule 7).
 */
import { allocateOnHand } from '../domain/allocation.js';
import { takeHorizon } from '../domain/lots.js';
import { CREATION_REQUEST, nextCreationPart } from '../domain/order-record.js';
import { getProducts } from '../store/catalog-store.js';
import { allocateCreationPart, readOrder } from '../store/order-store.js';
import { rememberProducts } from './catalog-cache.js';
import { RETRY, retryWhileStale } from './retry.js';
import { packUnpacked } from './unpacked-parts.js';

/** How long the creating request owns a large order before the sweeper may finish it. */
export const LARGE_ORDER_LEASE_MS = 60_000;

export async function finishOrderCreation(orderKey: string): Promise<void> {
  await retryWhileStale(`allocating order ${orderKey}`, async () => {
    for (;;) {
      const stored = await readOrder(orderKey);
      const lines = stored && nextCreationPart(stored.order);
      if (!stored || !lines) return true;
      const products = await getProducts(lines.map((l) => l.product_id));
      rememberProducts(products.values());
      const horizon = takeHorizon();
      const allocations = lines.map((l) => {
        const product = products.get(l.product_id);
        if (!product) throw new Error(`product ${l.product_id} of order ${orderKey} is gone`);
        return allocateOnHand(l, product, stored.order.priority, horizon);
      });
      const outcome = await allocateCreationPart({
        orderKey,
        orderId: stored.order.orderId,
        queueKey: stored.order.queueKey,
        partsDone: stored.order.creation!.partsDone,
        allocations,
        products,
      });
      // `allocated` and `already` (another request did this part) both go on to the next part.
      if (outcome === 'stale') return RETRY;
    }
  });
  await packUnpacked(orderKey, CREATION_REQUEST);
}
