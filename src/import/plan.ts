// The import plan: what a run would do, worked out before anything is written.
import type { LedgerEvent } from '../ledger/events.js';
import type { GumroadSale } from './gumroad-sale.js';
import type { RubyHash } from './ruby-hash.js';

/** 'events': an `export --events` backup (src/import/import-events-file.ts), imported on its own. */
export type ImportFormat = 'jsonl' | 'csv' | 'gumroad-csv' | 'events';

export interface RowIssue {
  file: string;
  line: number;
  reason: string;
  licenseKey?: string;
}

export interface FieldDiff {
  field: string;
  ledger: string | null;
  file: string | null;
}

export interface Conflict {
  file: string;
  line: number;
  licenseKey: string;
  /** Where the other version is: "ledger" or "file:line" earlier in this run. */
  against: string;
  fields: FieldDiff[];
}

export interface SaleRef {
  file: string;
  line: number;
  purchaseId: string;
  orderNumber: string | null;
  email: string;
  name: string;
  item: string;
  variants: string | null;
  purchasedAt: string;
  /** The buyer's email when the sale is a gift (then `email` is the giftee's). */
  giftedBy: string | null;
  customFields: RubyHash | null;
}

export interface MissingSale extends SaleRef {
  tier: string;
  years: number | 'lifetime';
  /** The expiry a mint gives it (see ExpiryFrom), capped at a future `Subscription End Date`; null: lifetime. */
  expiresAt: string | null;
  /** Minted now, it would already be expired. */
  expired: boolean;
}

/** Where a minted license's duration starts: the purchase (the default) or today (`--from now`). */
export type ExpiryFrom = 'purchase' | 'now';

export interface SalesPlan {
  sales: number;
  matched: number;
  missing: MissingSale[];
  /** How many of `missing` would be minted already expired. */
  alreadyExpired: number;
  unmapped: (SaleRef & { reason: string })[];
  refundedActive: (SaleRef & { licenseKey: string; why: 'fully refunded' | 'dispute lost' })[];
}

export interface ImportPlan {
  files: { file: string; format: ImportFormat; rows: number }[];
  counts: { new: number; present: number; conflicting: number; invalid: number; skipped: number };
  /** Events for licenses from logs and exports (deterministic ids). */
  events: LedgerEvent[];
  invalid: RowIssue[];
  conflicts: Conflict[];
  skipped: RowIssue[];
  sales: SalesPlan;
}

export function emptyPlan(): ImportPlan {
  return {
    files: [],
    counts: { new: 0, present: 0, conflicting: 0, invalid: 0, skipped: 0 },
    events: [],
    invalid: [],
    conflicts: [],
    skipped: [],
    sales: { sales: 0, matched: 0, missing: [], alreadyExpired: 0, unmapped: [], refundedActive: [] },
  };
}

export function saleRef(file: string, s: GumroadSale): SaleRef {
  return {
    file, line: s.line, purchaseId: s.purchaseId, orderNumber: s.orderNumber, email: s.email, name: s.buyerName, item: s.itemName,
    variants: s.variants, purchasedAt: s.purchasedAt, giftedBy: s.giftedBy, customFields: s.customFields,
  };
}
