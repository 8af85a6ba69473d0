/**
 * The AWS publisher of outbound events: EventBridge PutEvents to the service's bus, `source`
 * `fulfillment.service` (domain/outbound-events.ts EVENT_SOURCE), `detail-type` the event's name,
 * `detail` its JSON, `time` when it happened.
 *
 * PutEvents answers 200 even when some entries failed: `FailedEntryCount` says how many, and each
 * failed entry has an `ErrorCode` in its place of `Entries`. Those entries (and every entry of a
 * call that threw) are sent again, a few times with backoff; what still fails is reported by
 * event id, so the stream records behind it are delivered again (use-cases/publish-events.ts).
 *
 * Calls hold at most 10 entries and 256 KiB (PutEvents' limits). An entry is far below that:
 * the largest detail is an OrderSummary of 100 lines, about 20 KB.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandInput,
  type PutEventsRequestEntry,
  type PutEventsResponse,
} from '@aws-sdk/client-eventbridge';
import { logger } from '../commons/logger.js';
import { tracer } from '../commons/tracer.js';
import { EVENT_SOURCE, type EventPublisher, type OutboundEvent } from '../domain/outbound-events.js';

/** PutEvents' limits per call. */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_BYTES_PER_CALL = 256 * 1024;
/** PutEvents calls in flight at once. */
const CALLS_AT_ONCE = 4;

export interface EventBridgePublisherOptions {
  busName: string;
  /** One PutEvents call; injected so tests can fail entries. */
  putEvents: (input: PutEventsCommandInput) => Promise<PutEventsResponse>;
  /** Calls per entry before it counts as failed; default 4. */
  attempts?: number;
  /** Wait before attempt `n` (2, 3, ...); default 100 ms doubling, with jitter. */
  backoffMs?: (attempt: number) => number;
}

export function createEventBridgePublisher(options: EventBridgePublisherOptions): EventPublisher {
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? ((attempt: number) => 100 * 2 ** (attempt - 2) * (0.5 + Math.random()));
  const toEntry = (event: OutboundEvent): PutEventsRequestEntry => ({
    EventBusName: options.busName,
    Source: EVENT_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: new Date(event.time),
  });

  return {
    async publish(events) {
      let pending = events.map((event) => ({ event, entry: toEntry(event) }));
      for (let attempt = 1; pending.length > 0 && attempt <= attempts; attempt++) {
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
        const again: typeof pending = [];
        const queue = calls(pending);
        const send = async (call: (typeof queue)[number]) => {
          try {
            const answer = await options.putEvents({ Entries: call.map((c) => c.entry) });
            // 200 with failed entries: only FailedEntryCount and the entries' ErrorCodes tell.
            const failed = answer.FailedEntryCount
              ? call.filter((_, i) => answer.Entries?.[i]?.ErrorCode !== undefined || !answer.Entries?.[i]?.EventId)
              : [];
            if (failed.length > 0) {
              logger.warn('PutEvents did not take some entries', {
                attempt,
                errors: [...new Set(answer.Entries?.map((e) => e.ErrorCode).filter(Boolean))],
                event_ids: failed.map((c) => c.event.detail.event_id),
              });
            }
            again.push(...failed);
          } catch (error) {
            logger.warn('PutEvents failed', { attempt, error: error as Error });
            again.push(...call);
          }
        };
        // A shipment of 10,000 packages is 1,000 calls: a few in flight at once.
        const worker = async () => {
          for (let call = queue.shift(); call; call = queue.shift()) await send(call);
        };
        await Promise.all(Array.from({ length: Math.min(CALLS_AT_ONCE, queue.length) }, worker));
        pending = again;
      }
      return { failed: pending.map((p) => p.event.detail.event_id) };
    },
  };
}

/** Splits entries into calls of at most 10 entries and 256 KiB, as PutEvents counts them. */
function calls<T extends { entry: PutEventsRequestEntry }>(items: T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entrySize(item.entry);
    if (current.length > 0 && (current.length === MAX_ENTRIES_PER_CALL || bytes + size > MAX_BYTES_PER_CALL)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** PutEvents' entry size: 14 bytes for Time, then Source, DetailType and Detail in UTF-8. */
function entrySize(entry: PutEventsRequestEntry): number {
  const utf8 = (text: string | undefined) => Buffer.byteLength(text ?? '', 'utf8');
  return (entry.Time ? 14 : 0) + utf8(entry.Source) + utf8(entry.DetailType) + utf8(entry.Detail);
}

let shared: EventBridgeClient | undefined;

/** The process-wide client, made on first use (a warm Lambda reuses its connections). */
export function eventBridgeClient(): EventBridgeClient {
  // The SDK's own retries cover throttling of the whole call; failed entries are retried above.
  shared ??= tracer.captureAWSv3Client(new EventBridgeClient({ maxAttempts: 3 }));
  return shared;
}

/** Tests replace the client (e.g. with one that fails entries). */
export function setEventBridgeClient(client: EventBridgeClient | undefined): void {
  shared = client;
}

/** The publisher of the deployed function: the bus named by EVENT_BUS_NAME (set by the stack). */
export function eventBridgePublisher(): EventPublisher {
  const busName = process.env.EVENT_BUS_NAME;
  if (!busName) throw new Error('EVENT_BUS_NAME is not set');
  return createEventBridgePublisher({
    busName,
    putEvents: (input) => eventBridgeClient().send(new PutEventsCommand(input)),
  });
}
