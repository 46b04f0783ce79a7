// The one port the use cases talk to storage through: a ledger transaction. The SQLite ledger (the CLI and
// `serve`, src/stores/sqlite-ledger-tx.ts) and PostgreSQL (src/stores/postgres-store.ts) implement it; both
// apply events with the same pure projection (src/ledger/project.ts). Everything done through one LedgerTx
// commits together or not at all.
import type { ApplyResult } from '../ledger/apply-result.js';
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import type { EnqueueResult, NewOutboxMessage, OutboxMessage } from '../mail/outbox.js';

export type { ApplyResult };

export interface ApplyOptions {
  /**
   * For minting: a license whose order another license already holds is refused by the database's unique
   * order columns (OrderTakenError) instead of settled as two licenses met at sync (order-claims.ts).
   */
  refuseOrderConflicts?: boolean;
}

/** A payment provider's webhook delivery, stored raw before anything is done with it (the audit trail). */
export interface NewPaymentEvent {
  provider: string;
  /** The provider's idempotency id (Stripe event id, Gumroad sale id + kind, ...). Unique per provider. */
  eventId: string;
  /** sale, refund, ... or "rejected" when it failed verification. */
  eventType: string;
  orderRef: string | null;
  rawPayload: string;
  /** The normalized PaymentEvent as JSON, when parsing got that far. */
  normalized: unknown;
  receivedAt: Date;
  /** Set for deliveries that are final on arrival (rejected, ignored): processed with this error (or null). */
  finalError?: string | null;
  final?: boolean;
}

export interface StoredPaymentEvent {
  id: number;
  provider: string;
  eventId: string;
  eventType: string;
  orderRef: string | null;
  normalized: unknown;
  receivedAt: string;
  processed: boolean;
  processedAt: string | null;
  /** Pending: the last failed attempt's error; processed: why it failed (null = done). */
  error: string | null;
  /** Failed fulfilment attempts so far (the order backs off between them). */
  attempts: number;
  /** When a backing-off order is tried again (ISO), or null. */
  nextAttemptAt: string | null;
}

export interface FailedAttempt {
  attempts: number;
  error: string;
  /** When to try again; null = give up (the events become processed, with the error). */
  retryAt: Date | null;
  at: Date;
}

export interface LedgerTx {
  /** How this ledger says a key is not in it ("no license … in the ledger (path)", "… on this server"). */
  missingLicense(licenseKey: string): string;
  getLicense(licenseKey: string): Promise<LicenseRow | null>;
  /** By provider-qualified order ref, or by the bare Gumroad order id the CLI's --order-id records. */
  getByOrderRef(orderRef: string, gumroadOrderId?: string | null): Promise<LicenseRow | null>;
  /** Case-insensitive, oldest first. */
  findByEmail(email: string): Promise<LicenseRow[]>;
  /** Licenses that have this email now or had it before an edit (an erasure must reach both), oldest first. */
  findByEmailEver(email: string): Promise<LicenseRow[]>;
  /** Not revoked and not expired at `now`, newest first (as `list --status active`). */
  activeLicenses(now: Date): Promise<LicenseRow[]>;
  /** How many events these licenses have (what a forget scrubs). */
  eventCount(licenseKeys: readonly string[]): Promise<number>;
  /** The latest `at` among a license's events, so a new one can sort after it. */
  lastEventAt(licenseKey: string): Promise<string | null>;
  applyEvents(events: readonly LedgerEvent[], options?: ApplyOptions): Promise<ApplyResult>;
  /**
   * Runs many writes (an import's mints) with the search index filled once at the end instead of row by row.
   * Same result, less work; where the store has nothing to gain it just runs fn.
   */
  bulkWrites<T>(fn: () => Promise<T>): Promise<T>;
  /** The license's activated / deactivated / activations_reset events (src/ledger/activations.ts), in (at, id) order. */
  activationEvents(licenseKey: string): Promise<LedgerEvent[]>;
  /**
   * Holds the license until the transaction ends, so a read-then-write on it (an activation under a limit)
   * runs one at a time across every process sharing the database. SQLite: BEGIN IMMEDIATE already holds the
   * database's write lock; PostgreSQL: a row lock (SELECT … FOR UPDATE) on the license.
   */
  lockLicense(licenseKey: string): Promise<void>;
  /**
   * For the signed revocation list: the product's revoked license keys, and how many revoked / reinstated
   * events its licenses have (the list's seq: events are never deleted, so it only grows).
   */
  revocations(product: string): Promise<{ seq: number; revokedKeys: string[] }>;
  /** Gumroad's `uses` of a license: adds `by` (0 or 1) and returns the count after it. */
  countUse(licenseKey: string, by: number): Promise<number>;

  /** Queues a message in the outbox, in this transaction; one message per idempotency key, ever. */
  enqueueMail(message: NewOutboxMessage): Promise<EnqueueResult>;
  /** An unsent message in the outbox saying exactly what `message` would (outbox.ts sameMessage), if any. */
  unsentMailLike(message: NewOutboxMessage): Promise<OutboxMessage | null>;

  /** The license an admin mint with this idempotency key made, and whether it queued its mail, if one did. */
  mintedFor(idempotencyKey: string): Promise<{ licenseKey: string; mailQueued: boolean } | null>;
  /** Records it; a second record of the same key fails the transaction (the unique key decides a race). */
  recordMintRequest(idempotencyKey: string, licenseKey: string, at: Date, mailQueued: boolean): Promise<void>;

  paymentEventsForOrder(orderRef: string): Promise<StoredPaymentEvent[]>;
  markPaymentEvents(ids: readonly number[], at: Date, error: string | null): Promise<void>;
  /** The order's unprocessed payment events (ids) and the most failed attempts any of them has had. */
  pendingAttempts(orderRef: string): Promise<{ ids: number[]; attempts: number }>;
  markAttemptFailed(ids: readonly number[], attempt: FailedAttempt): Promise<void>;
  /**
   * A stored event as confirmed upstream (its kind or fields corrected). `final` makes it processed with that
   * error; `eventId` renames it (a rejected ping frees its id, so the genuine delivery is not a duplicate).
   */
  updatePaymentEvent(id: number, change: { eventType: string; normalized: unknown; eventId?: string; final?: { at: Date; error: string } }): Promise<void>;
  /** Inserts unless (provider, eventId) is already stored; `created` false for a redelivery. */
  addPaymentEvent(event: NewPaymentEvent): Promise<{ id: number; created: boolean }>;
}

export interface TransactionOptions {
  /** Transactions on the same key (an order ref) run one at a time, across every replica sharing the database. */
  lockKey?: string;
  /** SQLite under `serve`: how long to wait for another process's write lock before StoreBusyError. */
  busyWaitMs?: number;
}

export interface LedgerStore {
  /** Runs fn in one transaction: it commits when fn resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: LedgerTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
}
