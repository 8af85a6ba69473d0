/**
 * The SPEC rules as checks over the whole stored state, read with a test-only Scan (the
 * service itself never scans). Each returns a list of violations, empty when the rule holds.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../../functions/commons/dynamodb.js';

export interface StoredState {
  products: Map<number, { on_hand: number; backordered: number; restocked: number; shipped: number; mass_g: number }>;
  orders: Map<
    string,
    {
      requested: Record<string, number>;
      shipped: Record<string, number>;
      backordered: Record<string, number>;
      queue_key?: string;
      unprocessed: Record<string, number>;
      unpacked: Record<string, unknown>;
    }
  >;
  shipments: Array<{
    orderKey: string;
    requestId: string;
    eventId: string;
    packages: Array<{ mass_g: number; lines: Array<{ product_id: number; quantity: number }> }>;
  }>;
  waits: Array<{ product_id: number; queue_key: string; order_key: string; remaining: number }>;
}

export async function readState(): Promise<StoredState> {
  const state: StoredState = { products: new Map(), orders: new Map(), shipments: [], waits: [] };
  let start: Record<string, unknown> | undefined;
  do {
    const res = await documentClient().send(
      new ScanCommand({ TableName: tableName(), ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of res.Items ?? []) {
      const pk = String(item.pk);
      const sk = String(item.sk);
      if (pk.startsWith('PRODUCT#') && sk === 'PRODUCT') {
        state.products.set(Number(item.product_id), {
          on_hand: item.on_hand,
          backordered: item.backordered,
          restocked: item.restocked,
          shipped: item.shipped,
          mass_g: item.mass_g,
        });
      } else if (pk.startsWith('PRODUCT#') && sk.startsWith('WAIT#')) {
        state.waits.push({
          product_id: item.product_id,
          queue_key: item.queue_key,
          order_key: item.order_key,
          remaining: item.remaining,
        });
      } else if (pk.startsWith('ORDER#') && sk === 'ORDER') {
        state.orders.set(String(item.order_key), item as never);
      } else if (pk.startsWith('ORDER#') && sk.startsWith('SHIP#')) {
        const packages = (
          item.patterns as Array<{
            mass_g: number;
            count: number;
            lines: Array<{ product_id: number; quantity: number }>;
          }>
        ).flatMap((p) => Array.from({ length: p.count }, () => ({ mass_g: p.mass_g, lines: p.lines })));
        state.shipments.push({
          orderKey: pk.slice('ORDER#'.length),
          requestId: item.request_id,
          eventId: item.event_id,
          packages,
        });
      }
    }
    start = res.LastEvaluatedKey;
  } while (start);
  return state;
}

/** Rules 1 and 5 and the bookkeeping behind the views; `idle` adds rule 8. */
export function violations(state: StoredState, { idle = true } = {}): string[] {
  const out: string[] = [];
  const shippedByProduct = new Map<number, number>();
  for (const s of state.shipments) {
    for (const pkg of s.packages) {
      const units = pkg.lines.reduce((n, l) => n + l.quantity, 0);
      if (units < 1) out.push(`rule 1: empty package in ${s.eventId}`);
      const mass = pkg.lines.reduce((m, l) => m + l.quantity * (state.products.get(l.product_id)?.mass_g ?? NaN), 0);
      if (pkg.mass_g > 1800 || mass > 1800) out.push(`rule 1: package of ${mass} g in ${s.eventId}`);
      if (mass !== pkg.mass_g) out.push(`package mass ${pkg.mass_g} g stated, ${mass} g counted in ${s.eventId}`);
      for (const l of pkg.lines)
        shippedByProduct.set(l.product_id, (shippedByProduct.get(l.product_id) ?? 0) + l.quantity);
    }
  }
  for (const [id, p] of state.products) {
    if (p.on_hand < 0) out.push(`rule 5: product ${id} on hand ${p.on_hand}`);
    if (p.restocked !== p.on_hand + p.shipped)
      out.push(`rule 5: product ${id} restocked ${p.restocked} != on hand ${p.on_hand} + shipped ${p.shipped}`);
    const packed = shippedByProduct.get(id) ?? 0;
    if (idle && packed !== p.shipped)
      out.push(`rule 5: product ${id} counts ${p.shipped} shipped, packages hold ${packed}`);
    const waiting = state.waits.filter((w) => w.product_id === id).reduce((n, w) => n + w.remaining, 0);
    if (waiting !== p.backordered) out.push(`product ${id} backordered ${p.backordered}, queue holds ${waiting}`);
    if (idle && p.on_hand > 0 && p.backordered > 0)
      out.push(`rule 8: product ${id} has ${p.on_hand} on hand while ${p.backordered} wait`);
  }
  for (const [key, o] of state.orders) {
    for (const [p, q] of Object.entries(o.requested)) {
      const shipped = o.shipped[p] ?? 0;
      const back = (o.backordered[p] ?? 0) + (o.unprocessed?.[p] ?? 0);
      if (shipped + back !== q)
        out.push(`order ${key} product ${p}: shipped ${shipped} + backordered ${back} != requested ${q}`);
    }
    const packed = new Map<number, number>();
    for (const s of state.shipments.filter((x) => x.orderKey === key)) {
      for (const pkg of s.packages)
        for (const l of pkg.lines) packed.set(l.product_id, (packed.get(l.product_id) ?? 0) + l.quantity);
    }
    if (idle) {
      for (const [p, q] of Object.entries(o.shipped)) {
        if ((packed.get(Number(p)) ?? 0) !== q)
          out.push(`order ${key} product ${p}: shipped ${q}, packages hold ${packed.get(Number(p)) ?? 0}`);
      }
    }
  }
  return out;
}
