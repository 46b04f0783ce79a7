// The event log's vocabulary. Events are self-contained: applying the same set in any order, any number
// of times, gives the same ledger (see project.ts), which is what sync relies on.

export type EventType =
  | 'minted'
  | 'imported'
  | 'renewed'
  | 'reissued'
  | 'changed'
  | 'revoked'
  | 'reinstated'
  | 'note_added'
  | 'forgotten'
  | 'mail_queued'
  | 'mail_sent'
  /** Two licenses claimed one order: history only (src/ledger/order-claims.ts). */
  | 'order_contested'
  /** A machine took one of the license's activations, gave it back, or all were cleared (src/ledger/activations.ts). */
  | 'activated'
  | 'deactivated'
  | 'activations_reset';

export interface MintData {
  product: string;
  name: string;
  email: string;
  tier: string;
  issuedAt: string;
  expiresAt: string | null;
  updatesUntil?: string | null;
  blob: string;
  kid: string | null;
  /** Which backend signed it (signer.ts SignerBackend); absent in events older than remote signing. */
  signer?: string;
  format: string;
  gumroadOrderId?: string | null;
  orderRef?: string | null;
  /** Gumroad's `Order Number` of the sale, when known (search finds it; see migration 6). */
  orderNumber?: string;
  /** Absent in events older than these fields: the blob's claims say (src/ledger/entitlements.ts). */
  seats?: number | null;
  features?: string[];
  note?: string;
  verified?: boolean;
}

/** A `changed` event: the buyer's email, name or the tier corrected or upgraded, with the re-signed blob. */
export interface ChangeData {
  email?: string;
  name?: string;
  tier?: string;
  /** What they were, for the history (forget scrubs these like the rest). */
  fromEmail?: string;
  fromName?: string;
  fromTier?: string;
  blob: string;
  kid: string | null;
  signer?: string;
  format: string;
}

export interface LedgerEvent {
  id: string;
  licenseKey: string;
  type: EventType;
  at: string;
  actor: string;
  source: string;
  data: Record<string, unknown>;
}

export const STATE_EVENTS: ReadonlySet<EventType> = new Set(['minted', 'imported', 'renewed', 'reissued', 'changed', 'revoked', 'reinstated', 'note_added', 'forgotten']);

const PERSONAL_FIELDS = ['name', 'email', 'blob', 'text', 'note', 'to', 'fromName', 'fromEmail', 'label'];

/** What a forget leaves of an event: the facts (dates, tier, key) without the person. Idempotent. */
export function scrubEventData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = PERSONAL_FIELDS.includes(k) && v !== null && v !== undefined ? '' : v;
  return out;
}

let lastMs = 0;
let counter = 0;
/** Time-ordered, unique ids: events made in one process sort in the order they were made. */
export function newEventId(now: Date, random: (n: number) => Uint8Array): string {
  const ms = now.getTime();
  if (ms === lastMs) counter++;
  else {
    lastMs = ms;
    counter = 0;
  }
  const rand = Buffer.from(random(8)).toString('hex');
  return `${ms.toString(16).padStart(12, '0')}-${counter.toString(16).padStart(4, '0')}-${rand}`;
}

export function compareEvents(a: LedgerEvent, b: LedgerEvent): number {
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
