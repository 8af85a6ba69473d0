/**
 * The SPEC's rules 3, 4, 6 and 7 as a plain in-memory model, for a single client: what the
 * service must end up with after a sequence of requests. Orders wait in one FIFO queue per
 * product, in creation order; a restock fills them oldest first and puts the rest on hand.
 */
type Lines = Array<{ product_id: number; quantity: number }>;

interface ModelOrder {
  requested: Map<number, number>;
  shipped: Map<number, number>;
  backordered: Map<number, number>;
}

export class ReferenceModel {
  readonly onHand = new Map<number, number>();
  readonly orders = new Map<string, ModelOrder>();
  private readonly queues = new Map<number, string[]>();
  private readonly restocks = new Map<string, Map<number, number>>();

  addProduct(id: number): void {
    if (!this.onHand.has(id)) this.onHand.set(id, 0);
  }

  backordered(product: number): number {
    return (this.queues.get(product) ?? []).reduce(
      (n, o) => n + (this.orders.get(o)!.backordered.get(product) ?? 0),
      0,
    );
  }

  /** Expected HTTP status of the order request. */
  order(id: string, lines: Lines): number {
    const merged = merge(lines);
    if ([...merged.keys()].some((p) => !this.onHand.has(p))) return 422;
    const existing = this.orders.get(id);
    if (existing) return same(existing.requested, merged) ? 200 : 409;
    const order: ModelOrder = { requested: merged, shipped: new Map(), backordered: new Map() };
    this.orders.set(id, order);
    for (const [p, q] of merged) {
      const ship = this.backordered(p) === 0 ? Math.min(q, this.onHand.get(p)!) : 0;
      this.onHand.set(p, this.onHand.get(p)! - ship);
      order.shipped.set(p, ship);
      order.backordered.set(p, q - ship);
      if (q - ship > 0) this.queues.set(p, [...(this.queues.get(p) ?? []), id]);
    }
    return 201;
  }

  /** Expected HTTP status of the restock request. */
  restock(key: string, lines: Lines): number {
    const merged = merge(lines);
    const seen = this.restocks.get(key);
    if (seen) return same(seen, merged) ? 200 : 409;
    if ([...merged.keys()].some((p) => !this.onHand.has(p))) return 404;
    this.restocks.set(key, merged);
    for (const [p, q] of merged) {
      let available = this.onHand.get(p)! + q;
      const queue = this.queues.get(p) ?? [];
      while (available > 0 && queue.length > 0) {
        const order = this.orders.get(queue[0]!)!;
        const give = Math.min(available, order.backordered.get(p)!);
        available -= give;
        order.shipped.set(p, order.shipped.get(p)! + give);
        order.backordered.set(p, order.backordered.get(p)! - give);
        if (order.backordered.get(p) === 0) queue.shift();
      }
      this.onHand.set(p, available);
    }
    return 200;
  }
}

function merge(lines: Lines): Map<number, number> {
  const out = new Map<number, number>();
  for (const l of lines) out.set(l.product_id, (out.get(l.product_id) ?? 0) + l.quantity);
  return out;
}

function same(a: Map<number, number>, b: Map<number, number>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
