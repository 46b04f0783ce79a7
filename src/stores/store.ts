// The server's storage: the use cases' ledger transactions (src/usecases/ledger-port.ts) plus what only the
// server needs (sync cursors, webhook intake, admin keys, nonces, the outbox worker). Two implementations:
// the SQLite ledger the CLI uses (sqlite-store.ts) and PostgreSQL (postgres-store.ts).
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import type { Outbox } from '../mail/outbox.js';
import type { PortalStore } from './portal-store.js';
import type { ApplyResult, LedgerStore, LedgerTx, NewPaymentEvent, StoredPaymentEvent, TransactionOptions } from '../usecases/ledger-port.js';

export type { ApplyOptions, ApplyResult, FailedAttempt, NewPaymentEvent, StoredPaymentEvent, TransactionOptions } from '../usecases/ledger-port.js';

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

export interface AdminKeyRecord {
  kid: string;
  /** base64url raw Ed25519 public key. */
  x: string;
  label: string | null;
  createdAt: string;
}

/** Where the shared rate-limit counters live (src/server/rate-limit.ts): every replica must see the same ones. */
export type RateLimitBackend =
  | { kind: 'sqlite'; db: Database.Database; close?: () => void }
  | { kind: 'postgres'; pool: pg.Pool }
  | { kind: 'memory' };

/** How long an HTTP request waits for a busy database before its 503 (background work waits longer). */
export const FOREGROUND_BUSY_WAIT_MS = 2_000;

export interface ServerStore extends LedgerStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where it is, without credentials (for logs and `serve` output). */
  readonly description: string;
  readonly outbox: Outbox;
  /** The buyer portal's tokens, sessions and reminders (portal-store.ts). */
  readonly portal: PortalStore;
  migrate(): Promise<void>;
  /** Throws when the database does not answer. */
  health(): Promise<void>;
  close(): Promise<void>;
  transaction<T>(fn: (tx: LedgerTx) => Promise<T>, options?: TransactionOptions): Promise<T>;

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
  /** The database the rate limits count in (opened on first use; closed by the rate limits, before the store). */
  rateLimitBackend(): RateLimitBackend;
  /** Records a token nonce until expiresAtSec; false when it was already used. Expired nonces are pruned. */
  useNonce(nonce: string, expiresAtSec: number, nowSec: number): Promise<boolean>;
}
