/**
 * The SPEC's rules 3, 4, 6, 7, 8, 9 and 10, lots and cancellation as a plain in-memory model, for a single client: what the
 * service must end up with after a sequence of requests. Orders wait in one queue per product,
 * by priority, then in creation order; a restock (or a lowered reserve) fills them in that order
 * and leaves the rest on hand; urgent and routine orders never take the emergency reserve.
 * Written from SPEC's words, not from the service's code.
 */
type Lines = Array<{ product_id: number; quantity: number; lot?: string | null; expires_at?: string }>;

/** A lot as the model keeps it: units on hand, expiry (epoch ms, null: never). */
interface ModelLot {
  lot: string | null;
  quantity: number;
  expiresAt: number | null;
}

/** SPEC rule 9's order: soonest expiry first, named lots that never expire next, the unnamed lot last; ties by name. */
function fefo(a: ModelLot, b: ModelLot): number {
  const rank = (l: ModelLot) => (l.expiresAt !== null ? 0 : l.lot !== null ? 1 : 2);
  return rank(a) - rank(b) || (a.expiresAt ?? 0) - (b.expiresAt ?? 0) || (a.lot ?? '').localeCompare(b.lot ?? '');
}

/** A take must find its lot usable this long after the request (the service's margin for its round trip). */
const HORIZON_MS = 5_000;
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
  /** Units on hand per product and lot; their sum is `onHand`. */
  readonly lots = new Map<number, ModelLot[]>();
  /** Every named lot restocked so far, by `<product>/<lot>`: its expiry and whether it was recalled. */
  private readonly knownLots = new Map<string, { expiresAt: number | null; recalled: boolean }>();
  /** The clock the requests are sent at (a test's fake clock). */
  now = () => Date.now();
  private readonly queues = new Map<number, string[]>();
  private readonly restocks = new Map<string, Map<string, number>>();
  private readonly writeOffs = new Map<string, string>();

  addProduct(id: number): void {
    if (!this.lots.has(id)) this.lots.set(id, []);
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
      const usable = this.usable(p) - (priority === 'emergency' ? 0 : this.reserve.get(p)!);
      const ship = blocked ? 0 : Math.max(0, Math.min(q, usable));
      this.take(p, ship);
      order.shipped.set(p, ship);
      order.backordered.set(p, q - ship);
      if (q - ship > 0) this.enqueue(p, id);
    }
    return 201;
  }

  /** Expected HTTP status of the restock request. */
  restock(key: string, lines: Lines): number {
    const merged = mergeByLot(lines);
    const seen = this.restocks.get(key);
    if (seen) return same(seen, merged) ? 200 : 409;
    // The lot rules (SPEC v2): no recalled lot, no expired one; the whole restock changes nothing.
    for (const l of lines) {
      if (!l.lot) continue;
      const known = this.knownLots.get(`${l.product_id}/${l.lot}`);
      const expiresAt = known ? known.expiresAt : l.expires_at ? Date.parse(l.expires_at) : null;
      if (known?.recalled || (expiresAt !== null && expiresAt <= this.now())) return 422;
    }
    if (lines.some((l) => !this.onHand.has(l.product_id))) return 404;
    this.restocks.set(key, merged);
    for (const l of lines) {
      const p = l.product_id;
      this.onHand.set(p, this.onHand.get(p)! + l.quantity);
      const lot = l.lot ?? null;
      const knownKey = `${p}/${lot}`;
      if (lot !== null && !this.knownLots.has(knownKey)) {
        this.knownLots.set(knownKey, { expiresAt: l.expires_at ? Date.parse(l.expires_at) : null, recalled: false });
      }
      const expiresAt = lot === null ? null : this.knownLots.get(knownKey)!.expiresAt;
      const lots = this.lots.get(p)!;
      const held = lots.find((x) => x.lot === lot);
      if (held) held.quantity += l.quantity;
      else lots.push({ lot, quantity: l.quantity, expiresAt });
    }
    for (const p of new Set(lines.map((l) => l.product_id))) this.fill(p);
    return 200;
  }

  /** Expected status of a recall: 404 for a lot never restocked; otherwise its units are written off, once. */
  recall(product: number, lot: string): number {
    const known = this.knownLots.get(`${product}/${lot}`);
    if (!known) return 404;
    if (known.recalled) return 200;
    known.recalled = true;
    this.writeOffLot(product, lot);
    return 200;
  }

  /** The sweeper: the units of every lot expired by now are written off. */
  sweep(): void {
    for (const [p, lots] of this.lots) {
      for (const l of [...lots]) if (l.expiresAt !== null && l.expiresAt <= this.now()) this.writeOffLot(p, l.lot);
    }
  }

  /** Units a take may use: in lots usable a horizon from now. */
  usable(p: number): number {
    const at = this.now() + HORIZON_MS;
    return this.lots.get(p)!.reduce((n, l) => n + (l.expiresAt === null || l.expiresAt > at ? l.quantity : 0), 0);
  }

  /** Takes `quantity` usable units first expired, first out (rule 9). */
  private take(p: number, quantity: number): void {
    const at = this.now() + HORIZON_MS;
    let left = quantity;
    for (const l of [...this.lots.get(p)!].filter((x) => x.expiresAt === null || x.expiresAt > at).sort(fefo)) {
      const q = Math.min(left, l.quantity);
      l.quantity -= q;
      left -= q;
    }
    if (left > 0) throw new Error(`model: product ${p} took ${left} more units than usable`);
    this.lots.set(
      p,
      this.lots.get(p)!.filter((l) => l.quantity > 0),
    );
    this.onHand.set(p, this.onHand.get(p)! - quantity);
  }

  private writeOffLot(p: number, lot: string | null): void {
    const held = this.lots.get(p)!.find((l) => l.lot === lot);
    if (!held) return;
    this.onHand.set(p, this.onHand.get(p)! - held.quantity);
    this.writtenOff.set(p, (this.writtenOff.get(p) ?? 0) + held.quantity);
    this.lots.set(
      p,
      this.lots.get(p)!.filter((l) => l !== held),
    );
  }

  /** The product's lots with units on hand, as ProductView lists them. */
  lotsOf(p: number): Array<{ lot: string | null; quantity: number }> {
    return [...this.lots.get(p)!]
      .filter((l) => l.quantity > 0)
      .sort(fefo)
      .map(({ lot, quantity }) => ({ lot, quantity }));
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
    // A line without a lot takes from the usable lots, first expired first (rule 9).
    if ([...merged].some(([p, q]) => this.usable(p) < q)) return 422;
    this.writeOffs.set(key, text);
    for (const [p, q] of merged) {
      this.take(p, q);
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
      const usable = this.usable(p) - (order.priority === 'emergency' ? 0 : this.reserve.get(p)!);
      if (usable <= 0) break;
      const give = Math.min(usable, order.backordered.get(p)!);
      this.take(p, give);
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

/** Units per product and lot: what a restock replay must match. */
function mergeByLot(lines: Lines): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of lines) {
    const key = `${l.product_id}/${l.lot ?? ''}`;
    out.set(key, (out.get(key) ?? 0) + l.quantity);
  }
  return out;
}

function same<K>(a: Map<K, number>, b: Map<K, number>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
