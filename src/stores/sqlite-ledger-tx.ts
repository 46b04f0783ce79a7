// The SQLite implementation of the use cases' port (src/usecases/ledger-port.ts), over the local ledger
// file: the one the CLI uses and `serve` shares. better-sqlite3 is synchronous; each method does its work at
// once and hands back a settled promise, so a use case over SQLite never waits on I/O between its steps.
import type { Ledger } from '../ledger/ledger.js';
import type { LicenseRow } from '../ledger/project.js';
import { rowToEvent, rowToLicense, type SqlRow } from '../ledger/row-mapping.js';
import type { SqliteOutbox } from '../mail/sqlite-outbox.js';
import type { LedgerTx, NewPaymentEvent, StoredPaymentEvent } from '../usecases/ledger-port.js';

export interface SqliteTxOptions {
  /** Where the license is missing from, for the message (see LedgerTx.missingLicense). */
  missingLicense: (licenseKey: string) => string;
  /** Called when a transaction applied a `forgotten` event (the runner then empties the WAL). */
  onForgotten?: () => void;
}

/**
 * `outbox` may be loaded on first use: a CLI command that sends no mail (revoke, note) then never loads the
 * outbox's module, which is start-up time the command would pay for nothing.
 */
export function sqliteLedgerTx(ledger: Ledger, outbox: () => SqliteOutbox | Promise<SqliteOutbox>, options: SqliteTxOptions): LedgerTx {
  const db = ledger.db;
  return {
    missingLicense: options.missingLicense,
    getLicense: async (key) => ledger.getLicense(key),
    getByOrderRef: async (ref, gumroadOrderId) => licenseByOrder(ledger, ref, gumroadOrderId ?? null),
    findByEmail: async (email) => ledger.findByEmail(email),
    findByEmailEver: async (email) => ledger.findByEmailEver(email),
    activeLicenses: async (now) => (await import('../ledger/queries.js')).listLicenses(ledger, { status: 'active' }, now),
    eventCount: async (keys) => keys.reduce((n, key) => n + ledger.eventsFor(key).length, 0),
    lastEventAt: async (key) => ledger.lastEventAt(key),
    activationEvents: async (key) =>
      (db.prepare(`SELECT * FROM events WHERE license_key = ? AND type IN ('activated', 'deactivated', 'activations_reset') ORDER BY at, id`).all(key) as SqlRow[])
        .map((r) => { const { seq: _seq, ...e } = rowToEvent(r); return e; }),
    // The transaction is BEGIN IMMEDIATE (sqlite-transaction.ts): it already holds the only write lock.
    lockLicense: async () => undefined,
    revocations: async (product) => ({
      seq: Number((db.prepare(`SELECT count(*) AS n FROM events WHERE type IN ('revoked', 'reinstated') AND license_key IN (SELECT license_key FROM licenses WHERE product = ?)`).get(product) as { n: number }).n),
      revokedKeys: (db.prepare('SELECT license_key FROM licenses WHERE product = ? AND revoked_at IS NOT NULL ORDER BY license_key').all(product) as { license_key: string }[]).map((r) => r.license_key),
    }),
    countUse: async (key, by) =>
      Number((db.prepare('INSERT INTO license_uses (license_key, uses) VALUES (?, ?) ON CONFLICT (license_key) DO UPDATE SET uses = uses + excluded.uses RETURNING uses').get(key, by) as { uses: number }).uses),
    applyEvents: async (events, applyOptions) => {
      if (options.onForgotten && events.some((e) => e.type === 'forgotten')) options.onForgotten();
      return ledger.applyEventsInTransaction(events, applyOptions);
    },
    bulkWrites: (fn) => ledger.withSearchIndexDeferred(fn),
    enqueueMail: async (m) => (await outbox()).enqueue(m),
    unsentMailLike: async (m) => (await outbox()).unsentLike(m),
    mintedFor: async (key) => {
      const row = db.prepare('SELECT license_key, mail_queued FROM admin_mint_requests WHERE idempotency_key = ?').get(key) as { license_key: string; mail_queued: number } | undefined;
      return row ? { licenseKey: row.license_key, mailQueued: row.mail_queued === 1 } : null;
    },
    recordMintRequest: async (key, licenseKey, at, mailQueued) => {
      db.prepare('INSERT INTO admin_mint_requests (idempotency_key, license_key, created_at, mail_queued) VALUES (?, ?, ?, ?)').run(key, licenseKey, at.toISOString(), mailQueued ? 1 : 0);
    },
    paymentEventsForOrder: async (ref) => paymentEvents(ledger, 'WHERE order_ref = ? ORDER BY id', [ref]),
    markPaymentEvents: async (ids, at, error) => {
      const stmt = db.prepare('UPDATE payment_events SET processed = 1, processed_at = ?, error = ?, next_attempt_at = NULL WHERE id = ?');
      for (const id of ids) stmt.run(at.toISOString(), error, id);
    },
    pendingAttempts: async (ref) => {
      const rows = db.prepare('SELECT id, attempts FROM payment_events WHERE order_ref = ? AND processed = 0').all(ref) as SqlRow[];
      return { ids: rows.map((r) => Number(r.id)), attempts: Math.max(0, ...rows.map((r) => Number(r.attempts))) };
    },
    updatePaymentEvent: async (id, change) => {
      db.prepare(`UPDATE payment_events SET event_type = ?, normalized = ?, event_id = coalesce(?, event_id), processed = CASE WHEN ? THEN 1 ELSE processed END,
                    processed_at = coalesce(?, processed_at), error = coalesce(?, error) WHERE id = ?`)
        .run(change.eventType, JSON.stringify(change.normalized), change.eventId ?? null, change.final ? 1 : 0, change.final?.at.toISOString() ?? null, change.final?.error ?? null, id);
    },
    addPaymentEvent: async (e) => insertPaymentEvent(ledger, e),
    markAttemptFailed: async (ids, a) => {
      const done = a.retryAt === null;
      const stmt = db.prepare('UPDATE payment_events SET attempts = ?, error = ?, next_attempt_at = ?, processed = ?, processed_at = ? WHERE id = ?');
      for (const id of ids) stmt.run(a.attempts, a.error, a.retryAt?.toISOString() ?? null, done ? 1 : 0, done ? a.at.toISOString() : null, id);
    },
  };
}

export function licenseByOrder(ledger: Ledger, ref: string, gumroadOrderId: string | null): LicenseRow | null {
  // Two indexed lookups: an OR across the two unique columns would scan the table.
  const db = ledger.db;
  const row = (db.prepare('SELECT * FROM licenses WHERE order_ref = ?').get(ref) ??
    (gumroadOrderId ? db.prepare('SELECT * FROM licenses WHERE gumroad_order_id = ?').get(gumroadOrderId) : undefined)) as SqlRow | undefined;
  return row ? rowToLicense(row) : null;
}

export function insertPaymentEvent(ledger: Ledger, e: NewPaymentEvent): { id: number; created: boolean } {
  const final = e.final ?? false;
  const at = e.receivedAt.toISOString();
  const row = ledger.db
    .prepare(
      `INSERT INTO payment_events (provider, event_id, event_type, order_ref, raw_payload, normalized, received_at, processed, processed_at, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
    )
    .get(e.provider, e.eventId, e.eventType, e.orderRef, e.rawPayload, e.normalized === undefined || e.normalized === null ? null : JSON.stringify(e.normalized),
      at, final ? 1 : 0, final ? at : null, e.finalError ?? null) as SqlRow | undefined;
  if (row) return { id: Number(row.id), created: true };
  const existing = ledger.db.prepare('SELECT id FROM payment_events WHERE provider = ? AND event_id = ?').get(e.provider, e.eventId) as SqlRow;
  return { id: Number(existing.id), created: false };
}

export function paymentEvents(ledger: Ledger, where: string, params: unknown[]): StoredPaymentEvent[] {
  return (ledger.db.prepare(`SELECT * FROM payment_events ${where}`).all(...params) as SqlRow[]).map(toPaymentEvent);
}

function toPaymentEvent(r: SqlRow): StoredPaymentEvent {
  return {
    id: Number(r.id),
    provider: String(r.provider),
    eventId: String(r.event_id),
    eventType: String(r.event_type),
    orderRef: (r.order_ref as string | null) ?? null,
    normalized: r.normalized ? (JSON.parse(String(r.normalized)) as unknown) : null,
    receivedAt: String(r.received_at),
    processed: r.processed === 1,
    processedAt: (r.processed_at as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    attempts: Number(r.attempts ?? 0),
    nextAttemptAt: (r.next_attempt_at as string | null) ?? null,
  };
}
