/**
 * Which stream records can make an outbound event: inserts of ShipmentItems, CancelItems,
 * MovementItems and RecallItems (store/stream-changes.ts reads them). Items of these kinds are written once
 * (`attribute_not_exists`) and never changed, so an insert is a new fact and nothing else is.
 * The CDK stack turns this into the event source's filter (infra/constructs/outbound-events.ts),
 * so Lambda is not even invoked for the other records (products, queue entries, restocks).
 * No runtime import beyond the keys: the stack imports it.
 */
import { CANCEL_PREFIX, MOVE_PREFIX, RECALL_PREFIX, SHIP_PREFIX } from './keys.js';

export const PUBLISHED_EVENT_NAME = 'INSERT';
export const PUBLISHED_SORT_KEY_PREFIXES = [SHIP_PREFIX, CANCEL_PREFIX, MOVE_PREFIX, RECALL_PREFIX] as const;

/**
 * Which stream records the ledger's sequencer reads (store/ledger-store.ts): changes of product
 * items (their `seq` moves with every stock write). The stack filters the sequencer's event
 * source on these, so queue entries, orders and the like never invoke it.
 */
export const LEDGER_EVENT_NAME = 'MODIFY';
export const LEDGER_SORT_KEY = 'PRODUCT';
