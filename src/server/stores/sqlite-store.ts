// The server on the CLI's own SQLite ledger: the same file, so server-minted licenses show up in
// `license-admin list`. One connection; every operation goes through one queue (SQLite has one writer).
import { Ledger } from '../../ledger/ledger.js';
import type { LedgerEvent } from '../../ledger/events.js';
import type { LicenseRow } from '../../ledger/project.js';
import { rowToEvent, rowToLicense, type SqlRow } from '../../ledger/row-mapping.js';
import type { Outbox } from '../../mail/outbox.js';
import { SqliteOutbox } from '../../mail/sqlite-outbox.js';
import type { AdminKeyRecord, NewPaymentEvent, SeqEvent, ServerStore, StoredPaymentEvent, StoreTx } from '../store.js';
import { SerialQueue } from './serial-queue.js';

export class SqliteStore implements ServerStore {
  readonly kind = 'sqlite' as const;
  readonly description: string;
  readonly outbox: Outbox;
  private readonly queue = new SerialQueue();
  private readonly sqliteOutbox: SqliteOutbox;

  constructor(
    readonly ledger: Ledger,
    options: { random: (n: number) => Uint8Array; actor?: string },
  ) {
    this.description = `sqlite:${ledger.path}`;
    this.sqliteOutbox = new SqliteOutbox(ledger, { random: options.random, actor: options.actor ?? 'server', source: 'server' });
    const o = this.sqliteOutbox;
    this.outbox = {
      enqueue: (m) => this.queue.run(() => o.enqueue(m)),
      claimDue: (now, limit, opts) => this.queue.run(() => o.claimDue(now, limit, opts)),
      markSent: (id, info) => this.queue.run(() => o.markSent(id, info)),
      markFailed: (id, info) => this.queue.run(() => o.markFailed(id, info)),
      list: (filter) => this.queue.run(() => o.list(filter)),
      get: (id) => this.queue.run(() => o.get(id)),
    };
  }

  static open(path: string, options: { random: (n: number) => Uint8Array }): SqliteStore {
    return new SqliteStore(new Ledger(path), options);
  }

  private get db() {
    return this.ledger.db;
  }

  async migrate(): Promise<void> {
    // The Ledger constructor migrates.
  }

  health(): Promise<void> {
    return this.queue.run(() => void this.db.prepare('SELECT 1').get());
  }

  async close(): Promise<void> {
    await this.queue.run(() => this.ledger.close());
  }

  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.txApi());
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  private txApi(): StoreTx {
    return {
      applyEvents: async (events, options) => this.ledger.applyEventsInTransaction(events, options),
      getLicense: async (key) => this.ledger.getLicense(key),
      getByOrderRef: async (ref, gumroadOrderId) => this.byOrder(ref, gumroadOrderId ?? null),
      enqueueMail: async (m) => this.sqliteOutbox.enqueue(m),
      mintedFor: async (key) => ((this.db.prepare('SELECT license_key FROM admin_mint_requests WHERE idempotency_key = ?').get(key) as SqlRow | undefined)?.license_key as string | undefined) ?? null,
      recordMintRequest: async (key, licenseKey, at) => {
        this.db.prepare('INSERT INTO admin_mint_requests (idempotency_key, license_key, created_at) VALUES (?, ?, ?)').run(key, licenseKey, at.toISOString());
      },
      paymentEventsForOrder: async (ref) => this.paymentEvents('WHERE order_ref = ? ORDER BY id', [ref]),
      markPaymentEvents: async (ids, at, error) => {
        const stmt = this.db.prepare('UPDATE payment_events SET processed = 1, processed_at = ?, error = ?, next_attempt_at = NULL WHERE id = ?');
        for (const id of ids) stmt.run(at.toISOString(), error, id);
      },
      pendingAttempts: async (ref) => {
        const rows = this.db.prepare('SELECT id, attempts FROM payment_events WHERE order_ref = ? AND processed = 0').all(ref) as SqlRow[];
        return { ids: rows.map((r) => Number(r.id)), attempts: Math.max(0, ...rows.map((r) => Number(r.attempts))) };
      },
      updatePaymentEvent: async (id, change) => {
        this.db.prepare(`UPDATE payment_events SET event_type = ?, normalized = ?, event_id = coalesce(?, event_id), processed = CASE WHEN ? THEN 1 ELSE processed END,
                           processed_at = coalesce(?, processed_at), error = coalesce(?, error) WHERE id = ?`)
          .run(change.eventType, JSON.stringify(change.normalized), change.eventId ?? null, change.final ? 1 : 0, change.final?.at.toISOString() ?? null, change.final?.error ?? null, id);
      },
      addPaymentEvent: async (e) => this.insertPaymentEvent(e),
      markAttemptFailed: async (ids, a) => {
        const done = a.retryAt === null;
        const stmt = this.db.prepare('UPDATE payment_events SET attempts = ?, error = ?, next_attempt_at = ?, processed = ?, processed_at = ? WHERE id = ?');
        for (const id of ids) stmt.run(a.attempts, a.error, a.retryAt?.toISOString() ?? null, done ? 1 : 0, done ? a.at.toISOString() : null, id);
      },
    };
  }

  private byOrder(ref: string, gumroadOrderId: string | null): LicenseRow | null {
    // Two indexed lookups: an OR across the two unique columns would scan the table.
    const row = (this.db.prepare('SELECT * FROM licenses WHERE order_ref = ?').get(ref) ??
      (gumroadOrderId ? this.db.prepare('SELECT * FROM licenses WHERE gumroad_order_id = ?').get(gumroadOrderId) : undefined)) as SqlRow | undefined;
    return row ? rowToLicense(row) : null;
  }

  applyEvents(events: readonly LedgerEvent[]) {
    return this.queue.run(() => this.ledger.applyEvents(events));
  }

  eventsSince(afterSeq: number, limit: number): Promise<SeqEvent[]> {
    return this.queue.run(() =>
      (this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as SqlRow[]).map(rowToEvent),
    );
  }

  lastSeq(): Promise<number> {
    return this.queue.run(() => Number((this.db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as SqlRow).s));
  }

  counts(): Promise<{ events: number; licenses: number }> {
    return this.queue.run(() => {
      const events = Number((this.db.prepare('SELECT count(*) AS n FROM events').get() as SqlRow).n);
      const licenses = Number((this.db.prepare('SELECT count(*) AS n FROM licenses').get() as SqlRow).n);
      return { events, licenses };
    });
  }

  getLicense(key: string) {
    return this.queue.run(() => this.ledger.getLicense(key));
  }

  getByOrderRef(ref: string) {
    return this.queue.run(() => this.byOrder(ref, null));
  }

  findByEmail(email: string) {
    return this.queue.run(() => this.ledger.findByEmail(email));
  }

  recordPaymentEvent(e: NewPaymentEvent): Promise<{ id: number; created: boolean }> {
    return this.queue.run(() => this.insertPaymentEvent(e));
  }

  private insertPaymentEvent(e: NewPaymentEvent): { id: number; created: boolean } {
    {
      const final = e.final ?? false;
      const at = e.receivedAt.toISOString();
      const row = this.db
        .prepare(
          `INSERT INTO payment_events (provider, event_id, event_type, order_ref, raw_payload, normalized, received_at, processed, processed_at, error)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
        )
        .get(e.provider, e.eventId, e.eventType, e.orderRef, e.rawPayload, e.normalized === undefined || e.normalized === null ? null : JSON.stringify(e.normalized),
          at, final ? 1 : 0, final ? at : null, e.finalError ?? null) as SqlRow | undefined;
      if (row) return { id: Number(row.id), created: true };
      const existing = this.db.prepare('SELECT id FROM payment_events WHERE provider = ? AND event_id = ?').get(e.provider, e.eventId) as SqlRow;
      return { id: Number(existing.id), created: false };
    }
  }

  pendingOrders(limit: number, now: Date): Promise<string[]> {
    // An order backing off waits until its latest next try (ISO text compares in time order).
    return this.queue.run(() =>
      (this.db.prepare(
        `SELECT order_ref FROM payment_events WHERE processed = 0 AND order_ref IS NOT NULL GROUP BY order_ref
         HAVING coalesce(max(next_attempt_at), '') <= ? ORDER BY min(id) LIMIT ?`,
      ).all(now.toISOString(), limit) as SqlRow[]).map((r) => String(r.order_ref)),
    );
  }

  retryFailedPaymentEvents(orderRef?: string): Promise<number> {
    return this.queue.run(() =>
      this.db
        // A ping the Gumroad API did not confirm goes back as what it claimed, to be confirmed again.
        .prepare(`UPDATE payment_events SET processed = 0, processed_at = NULL, error = NULL, attempts = 0, next_attempt_at = NULL,
                    event_type = CASE WHEN event_type = 'rejected' AND normalized IS NOT NULL THEN coalesce(json_extract(normalized, '$.kind'), event_type) ELSE event_type END
                  WHERE error IS NOT NULL AND order_ref IS NOT NULL ${orderRef ? 'AND order_ref = ?' : ''}`)
        .run(...(orderRef ? [orderRef] : [])).changes,
    );
  }

  listPaymentEvents(filter: { orderRef?: string; limit?: number } = {}): Promise<StoredPaymentEvent[]> {
    return this.queue.run(() =>
      filter.orderRef
        ? this.paymentEvents('WHERE order_ref = ? ORDER BY id LIMIT ?', [filter.orderRef, filter.limit ?? 10_000])
        : this.paymentEvents('ORDER BY id LIMIT ?', [filter.limit ?? 10_000]),
    );
  }

  private paymentEvents(where: string, params: unknown[]): StoredPaymentEvent[] {
    return (this.db.prepare(`SELECT * FROM payment_events ${where}`).all(...params) as SqlRow[]).map(toPaymentEvent);
  }

  addAdminKey(x: string, kid: string, label: string | null, at: Date): Promise<{ created: boolean }> {
    return this.queue.run(() => {
      const info = this.db.prepare('INSERT INTO admin_keys (kid, x, label, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(kid, x, label, at.toISOString());
      return { created: info.changes > 0 };
    });
  }

  adminKeys(): Promise<AdminKeyRecord[]> {
    return this.queue.run(() =>
      (this.db.prepare('SELECT * FROM admin_keys ORDER BY created_at').all() as SqlRow[]).map((r) => ({
        kid: String(r.kid), x: String(r.x), label: (r.label as string | null) ?? null, createdAt: String(r.created_at),
      })),
    );
  }

  useNonce(nonce: string, expiresAtSec: number, nowSec: number): Promise<boolean> {
    return this.queue.run(() =>
      this.ledger.transaction(() => {
        this.db.prepare('DELETE FROM admin_nonces WHERE expires_at < ?').run(nowSec);
        return this.db.prepare('INSERT INTO admin_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(nonce, expiresAtSec).changes > 0;
      }),
    );
  }
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
