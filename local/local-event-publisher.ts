/**
 * The local publisher of outbound events (SPEC v2: "Locally `npm start` prints each event and,
 * when EVENTS_WEBHOOK_URL is set, POSTs it there as JSON (`{detail_type, detail}`)").
 *
 * Printing is the publication: one line per event, `event <name> <detail as JSON>`. The webhook
 * is a convenience for whoever develops a subscriber: each event is POSTed in turn and tried a
 * few times; a webhook that stays down gets a warning per event it missed and the service goes
 * on (the event is in the log). So locally, unlike on the AWS bus, a webhook that is down misses
 * events: nothing queues them for it.
 */
import type { EventPublisher, OutboundEvent } from '../functions/domain/outbound-events.js';

export interface LocalEventPublisherOptions {
  /** EVENTS_WEBHOOK_URL: an http(s) URL to POST each event to. */
  webhookUrl?: string;
  print?: (line: string) => void;
  warn?: (line: string) => void;
  /** POSTs per event before it is given up; default 3. */
  attempts?: number;
  /** Per POST; default 2 s. */
  timeoutMs?: number;
  /** Before the second POST; doubled for each later one. Default 200 ms. */
  backoffMs?: number;
}

/** The webhook URL from EVENTS_WEBHOOK_URL, or an error message saying what is wrong with it. */
export function webhookUrlFrom(raw: string | undefined): { url?: string; error?: string } {
  if (raw === undefined || raw === '') return {};
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: `EVENTS_WEBHOOK_URL must be an http(s) URL, got "${raw}"` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { error: `EVENTS_WEBHOOK_URL must be an http(s) URL, got "${raw}"` };
  }
  return { url: url.toString() };
}

export const eventLine = (event: OutboundEvent) => `event ${event.detailType} ${JSON.stringify(event.detail)}`;

export function createLocalEventPublisher(options: LocalEventPublisherOptions = {}): EventPublisher {
  const print = options.print ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => console.error(line));
  const attempts = options.attempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const backoffMs = options.backoffMs ?? 200;

  const post = async (url: string, event: OutboundEvent): Promise<void> => {
    let reason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 2)));
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ detail_type: event.detailType, detail: event.detail }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        reason = `answered ${response.status}`;
        // The webhook refused this event (4xx): sending it again would be refused again.
        if (response.status < 500 && response.status !== 429) break;
      } catch (error) {
        reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
      }
    }
    warn(`webhook ${url} did not take event ${event.detail.event_id} (${reason}); going on without it`);
  };

  return {
    async publish(events) {
      for (const event of events) {
        print(eventLine(event));
        if (options.webhookUrl) await post(options.webhookUrl, event);
      }
      return { failed: [] };
    },
  };
}
