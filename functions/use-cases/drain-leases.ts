/**
 * One drain per product at a time (no thrash). A drain holds the lease of every product it
 * fills; a restock whose product another drain holds waits for it instead of racing it, so no
 * plan is undone by another, and the units it brought are filled by its own drain (SPEC rule 2:
 * the drain holding the lease never ships to an order twice, so it leaves them to it).
 *
 * Leases are taken in ascending product id, keeping those below the first one held elsewhere
 * while waiting for it: two drains can never wait for each other. A product with no work (nothing
 * on hand or nobody waiting) needs no lease; its claim is only a read.
 */
import { logger } from '../commons/logger.js';
import { type ClaimOutcome, claimDrain, leaseHolder, type MarkedProduct, releaseDrain } from '../store/fill-store.js';
import { pause } from './retry.js';

export interface Leases {
  /** Products whose lease this drain holds, as they were when it took them. */
  held: Map<number, MarkedProduct>;
  /** Products with nothing to drain when claimed. */
  idle: MarkedProduct[];
  /** Products still held by another drain when the deadline came. */
  missed: number[];
}

export interface AcquireOptions {
  /** Wait for busy leases until then (epoch ms); 0: take what is free and leave the rest. */
  deadline: number;
  /** Take leases however recent: only when no other request can be in flight (recovery). */
  breakLeases?: boolean;
}

/** Polls a held lease at least this often (it may be released early) and at most this often. */
const POLL_MIN_MS = 5;
const POLL_MAX_MS = 40;
/** Claims that may fail in transit (network, throttling) before the drain gives up. */
const MAX_CLAIM_FAILURES = 10;
/** Leases claimed in parallel, in one round. */
const CLAIMS_AT_ONCE = 64;

type Claim = ClaimOutcome | { kind: 'failed' };

export async function acquireLeases(
  productIds: Iterable<number>,
  owner: string,
  until: number,
  options: AcquireOptions,
): Promise<Leases> {
  const now = () => (options.breakLeases ? Number.MAX_SAFE_INTEGER : Date.now());
  let pending = [...new Set(productIds)].sort((a, b) => a - b);
  const leases: Leases = { held: new Map(), idle: [], missed: [] };
  let failures = 0;
  while (pending.length > 0) {
    const window = pending.slice(0, CLAIMS_AT_ONCE);
    // A claim that failed in transit is tried again with the next poll: claiming is idempotent
    // (a lease already ours is ours again), so an answer lost on the way changes nothing.
    const outcomes = await Promise.all(
      window.map((id) =>
        claimDrain(id, owner, until, now()).catch((error): Claim => {
          if (++failures > MAX_CLAIM_FAILURES) throw error;
          return { kind: 'failed' };
        }),
      ),
    );
    const firstBusy = outcomes.findIndex((o) => o.kind === 'held' || o.kind === 'failed');
    const settled = firstBusy < 0 ? outcomes.length : firstBusy;
    outcomes.slice(0, settled).forEach((o, i) => {
      if (o.kind === 'claimed') leases.held.set(window[i]!, o.product);
      else if (o.kind === 'idle') leases.idle.push(o.product);
    });
    if (firstBusy < 0) {
      pending = pending.slice(window.length);
      continue;
    }
    // Keep the leases below the first busy product; give back those above it (taken in order later).
    const above = window.slice(firstBusy + 1).filter((_, i) => outcomes[firstBusy + 1 + i]!.kind === 'claimed');
    await releaseLeases(above, owner);
    pending = pending.slice(firstBusy);
    if (Date.now() >= options.deadline) {
      leases.missed = pending;
      return leases;
    }
    const busy = outcomes[firstBusy]!;
    if (busy.kind === 'held') {
      // Wait by reading the lease, not by claiming it again (no writes on a busy product).
      if (!(await leaseFreed(pending[0]!, busy.until, options.deadline))) {
        leases.missed = pending;
        return leases;
      }
    } else {
      await pause(POLL_MIN_MS * (0.5 + Math.random() / 2));
    }
  }
  return leases;
}

/**
 * Polls the lease another drain holds until it is free (released or run out) or `deadline`
 * passes; true when free. Polls often at first (a drain's lease is often released within
 * milliseconds), then every POLL_MAX_MS; a read that fails in transit counts as still held.
 */
async function leaseFreed(productId: number, heldUntil: number, deadline: number): Promise<boolean> {
  let until = heldUntil;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const wait = Math.min(POLL_MAX_MS, POLL_MIN_MS * 2 ** attempt, Math.max(POLL_MIN_MS, until - Date.now()));
    await pause(wait * (0.5 + Math.random() / 2));
    const holder = await leaseHolder(productId).catch(() => ({ until }));
    if (!holder) return true;
    until = holder.until;
  }
  return false;
}

/**
 * Gives the leases back, each tried a few times: a lease left behind holds its product's drains
 * off until it runs out (the drain's deadline plus a margin), so a failed release is worth a retry.
 */
export async function releaseLeases(productIds: number[], owner: string): Promise<void> {
  await Promise.all(
    productIds.map(async (id) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await releaseDrain(id, owner);
          return;
        } catch (error) {
          if (attempt >= RELEASE_ATTEMPTS) {
            logger.warn('drain lease not released: it runs out by itself', { product_id: id, error });
            return;
          }
          await pause(POLL_MIN_MS * attempt);
        }
      }
    }),
  );
}

const RELEASE_ATTEMPTS = 4;
