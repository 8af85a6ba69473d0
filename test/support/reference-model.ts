/**
 * The SPEC's rules 3, 4, 6, 7 and 8 and cancellation as a plain in-memory model, for a single client: what the
 * service must end up with after a sequence of requests. Orders wait in one queue per product,
 * by priority, then in creation order; a restock (or a lowered reserve) fills them in that order
 * and leaves the rest on hand; urgent and routine orders never take the emergency reserve.
 * Written from SPEC's words, not from the service's code.
 */
type Lines = Array<{ product_id: number; quantity: number }>;
export type ModelPriority = 'emergency' | 'urgent' | 'routine';
const RANK: Record<ModelPriority, number> = { emergency: 0, urgent: 1, routine: 2 };

interface ModelOrder {
  priority: ModelPriority;
  /** Creation order. */
  seq: number;
  requested: Map<number, number>;
  shipped: Map<number, number>;
  backordered: Map<number, number>;
  cancelled: Map<number, number>;
  isCancelled: boolean;
}

export class ReferenceModel {
  readonly onHand = new Map<number, number>();
  readonly reserve = new Map<number, number>();
  readonly writtenOff = new Map<number, number>();
  readonly orders = new Map<string, ModelOrder>();
  private readonly queues = new Map<number, string[]>();
  private readonly restocks = new Map<string, Map<number, number>>();
  private readonly writeOffs = new Map<string, string>();

  addProduct(id: number): void {
    if (!this.onHand.has(id)) this.onHand.set(id, 0);
    if (!this.reserve.has(id)) this.reserve.set(id, 0);
  }

  backordered(product: number): number {
    return this.queue(product).reduce((n, o) => n + (this.orders.get(o)!.backordered.get(product) ?? 0), 0);
  }

  /** Expected HTTP status of the order request. */
  order(id: string, lines: Lines, priority: ModelPriority = 'routine'): number {
    const merged = merge(lines);
    if ([...merged.keys()].some((p) => !this.onHand.has(p))) return 422;
    const existing = this.orders.get(id);
    if (existing) return same(existing.requested, merged) && existing.priority === priority ? 200 : 409;
    const order: ModelOrder = {
      priority,
      seq: this.orders.size,
      requested: merged,
      shipped: new Map(),
      backordered: new Map(),
      cancelled: new Map(),
      isCancelled: false,
    };
    this.orders.set(id, order);
    for (const [p, q] of merged) {
      // Rule 4: nothing while an order of the same or a higher priority waits; the reserve is for emergencies.
      const blocked = this.queue(p).some((o) => RANK[this.orders.get(o)!.priority] <= RANK[priority]);
      const usable = this.onHand.get(p)! - (priority === 'emergency' ? 0 : this.reserve.get(p)!);
      const ship = blocked ? 0 : Math.max(0, Math.min(q, usable));
      this.onHand.set(p, this.onHand.get(p)! - ship);
      order.shipped.set(p, ship);
      order.backordered.set(p, q - ship);
      if (q - ship > 0) this.enqueue(p, id);
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
      this.onHand.set(p, this.onHand.get(p)! + q);
      this.fill(p);
    }
    return 200;
  }

  /**
   * Expected HTTP status of a write-off: all or nothing, never below zero (422), an unknown product
   * 404 (checked first), the same key with the same lines 200 and nothing changes, other lines 409.
   */
  writeOff(key: string, lines: Array<{ product_id: number; quantity: number; reason: string }>): number {
    const text = JSON.stringify(
      [...lines]
        .sort((a, b) => a.product_id - b.product_id || a.reason.localeCompare(b.reason))
        .reduce<typeof lines>((out, l) => {
          const last = out.at(-1);
          if (last && last.product_id === l.product_id && last.reason === l.reason) last.quantity += l.quantity;
          else out.push({ ...l });
          return out;
        }, []),
    );
    const seen = this.writeOffs.get(key);
    if (seen !== undefined) return seen === text ? 200 : 409;
    const merged = merge(lines);
    if ([...merged.keys()].some((p) => !this.onHand.has(p))) return 404;
    if ([...merged].some(([p, q]) => this.onHand.get(p)! < q)) return 422;
    this.writeOffs.set(key, text);
    for (const [p, q] of merged) {
      this.onHand.set(p, this.onHand.get(p)! - q);
      this.writtenOff.set(p, (this.writtenOff.get(p) ?? 0) + q);
    }
    return 200;
  }

  /** Expected HTTP status of a cancellation: what waits stops waiting; a fulfilled order is 409. */
  cancel(id: string): number {
    const order = this.orders.get(id);
    if (!order) return 404;
    const waits = [...order.backordered.values()].some((q) => q > 0);
    if (!waits) return order.isCancelled ? 200 : 409;
    order.isCancelled = true;
    for (const [p, q] of order.backordered) {
      if (q === 0) continue;
      order.cancelled.set(p, q);
      order.backordered.set(p, 0);
      this.queues.set(
        p,
        this.queue(p).filter((o) => o !== id),
      );
    }
    return 200;
  }

  /** A catalog upsert giving the product a new reserve; a lower one frees units for waiting orders (rule 8). */
  setReserve(product: number, reserve: number): void {
    this.reserve.set(product, reserve);
    this.fill(product);
  }

  /** Waiting orders take units in serve order while the first of them may take any. */
  private fill(p: number): void {
    const queue = this.queue(p);
    while (queue.length > 0) {
      const order = this.orders.get(queue[0]!)!;
      const usable = this.onHand.get(p)! - (order.priority === 'emergency' ? 0 : this.reserve.get(p)!);
      if (usable <= 0) break;
      const give = Math.min(usable, order.backordered.get(p)!);
      this.onHand.set(p, this.onHand.get(p)! - give);
      order.shipped.set(p, order.shipped.get(p)! + give);
      order.backordered.set(p, order.backordered.get(p)! - give);
      if (order.backordered.get(p) === 0) queue.shift();
    }
  }

  private queue(p: number): string[] {
    if (!this.queues.has(p)) this.queues.set(p, []);
    return this.queues.get(p)!;
  }

  private enqueue(p: number, id: string): void {
    const key = (o: string) => [RANK[this.orders.get(o)!.priority], this.orders.get(o)!.seq] as const;
    const queue = this.queue(p);
    queue.push(id);
    queue.sort((a, b) => {
      const [ra, sa] = key(a);
      const [rb, sb] = key(b);
      return ra - rb || sa - sb;
    });
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
