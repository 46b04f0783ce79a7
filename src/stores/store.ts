// The server's storage, behind one async interface with two implementations: the SQLite ledger the CLI
// uses (stores/sqlite-store.ts) and PostgreSQL (stores/postgres-store.ts). Both apply ledger events with
// the same pure projection (src/ledger/project.ts), so a license is the same function of its events.
import type { LedgerEvent } from '../ledger/events.js';
import type { ApplyResult } from '../ledger/ledger.js';
import type { LicenseRow } from '../ledger/project.js';
import type { EnqueueResult, NewOutboxMessage, Outbox } from '../mail/outbox.js';

export type { ApplyResult };

/**
 * The database is held by another writer (a long CLI import on the SQLite ledger) for longer than the caller
 * may wait. Transient: HTTP answers 503 with Retry-After; background work tries again on its next pass.
 */
export class StoreBusyError extends Error {
  constructor(message = 'the database is busy (another process holds the write lock); try again shortly') {
    super(message);
    this.name = 'StoreBusyError';
  }
}
export type SeqEvent = LedgerEvent & { seq: number };

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

export interface ApplyOptions {
  /**
   * For minting: a license whose order another license already holds is refused by the database's unique
   * order columns (OrderTakenError) instead of settled as two licenses met at sync (order-claims.ts).
   */
  refuseOrderConflicts?: boolean;
}

export interface AdminKeyRecord {
  kid: string;
  /** base64url raw Ed25519 public key. */
  x: string;
  label: string | null;
  createdAt: string;
}

/** How long an HTTP request waits for a busy database before its 503 (background work waits longer). */
export const FOREGROUND_BUSY_WAIT_MS = 2_000;

export interface TransactionOptions {
  lockKey?: string;
  /** SQLite: how long to wait for another process's write lock before StoreBusyError (default: background's 30 s). */
  busyWaitMs?: number;
}

/** What a transaction can do; everything in it commits together or not at all. */
export interface StoreTx {
  applyEvents(events: readonly LedgerEvent[], options?: ApplyOptions): Promise<ApplyResult>;
  getLicense(licenseKey: string): Promise<LicenseRow | null>;
  /** By provider-qualified order ref, or by the bare Gumroad order id the CLI's --order-id records. */
  getByOrderRef(orderRef: string, gumroadOrderId?: string | null): Promise<LicenseRow | null>;
  enqueueMail(message: NewOutboxMessage): Promise<EnqueueResult>;
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
  /** Like ServerStore.recordPaymentEvent, inside this transaction. */
  addPaymentEvent(event: NewPaymentEvent): Promise<{ id: number; created: boolean }>;
}

export interface ServerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, without credentials (for logs and `serve` output). */
  readonly description: string;
  readonly outbox: Outbox;
  migrate(): Promise<void>;
  /** Throws when the database does not answer. */
  health(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs fn in one transaction. With a lockKey, transactions on the same key (an order ref) run one at a
   * time across every replica sharing the database.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, options?: TransactionOptions): Promise<T>;

  applyEvents(events: readonly LedgerEvent[]): Promise<ApplyResult>;
  eventsSince(afterSeq: number, limit: number): Promise<SeqEvent[]>;
  lastSeq(): Promise<number>;
  counts(): Promise<{ events: number; licenses: number }>;
  getLicense(licenseKey: string): Promise<LicenseRow | null>;
  getByOrderRef(orderRef: string): Promise<LicenseRow | null>;
  findByEmail(email: string): Promise<LicenseRow[]>;

  /**
   * Inserts unless (provider, eventId) is already stored; `created` false for a redelivery. SQLite: when the
   * ledger is held by another writer, the delivery is written durably to the spool instead (`spooled`, id 0)
   * and moved into the ledger as soon as it is free, so a delivery is never refused for a busy database.
   */
  recordPaymentEvent(event: NewPaymentEvent): Promise<{ id: number; created: boolean; spooled?: boolean }>;
  /** Order refs that have stored, unprocessed payment events and are not backing off at `now` (the fulfilment queue). */
  pendingOrders(limit: number, now: Date): Promise<string[]>;
  listPaymentEvents(filter?: { orderRef?: string; limit?: number }): Promise<StoredPaymentEvent[]>;
  /** Puts failed or backing-off payment events (optionally of one order) back in the queue, attempts reset; returns how many. */
  retryFailedPaymentEvents(orderRef?: string): Promise<number>;

  addAdminKey(x: string, kid: string, label: string | null, at: Date): Promise<{ created: boolean }>;
  adminKeys(): Promise<AdminKeyRecord[]>;
  /** Records a token nonce until expiresAtSec; false when it was already used. Expired nonces are pruned. */
  useNonce(nonce: string, expiresAtSec: number, nowSec: number): Promise<boolean>;
}
