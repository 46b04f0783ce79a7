// The server on the CLI's own SQLite ledger: the same file, so server-minted licenses show up in
// `license-admin list`. One connection; every operation goes through one queue (SQLite has one writer).
// Another process (a CLI import) may hold the write lock for seconds: operations then wait asynchronously
// (sqlite-busy.ts), never inside better-sqlite3, and webhook deliveries go to the spool (delivery-spool.ts).
import { Ledger } from '../ledger/ledger.js';
import type { LedgerEvent } from '../ledger/events.js';
import { rowToEvent, type SqlRow } from '../ledger/row-mapping.js';
import type { Outbox } from '../mail/outbox.js';
import { SqliteOutbox } from '../mail/sqlite-outbox.js';
import type { LedgerTx } from '../usecases/ledger-port.js';
import { StoreBusyError, type AdminKeyRecord, type RateLimitBackend, type NewPaymentEvent, type SeqEvent, type ServerStore, type StoredPaymentEvent, type TransactionOptions } from './store.js';
import { openRateLimitFile } from './rate-limit-file.js';
import { insertPaymentEvent, licenseByOrder, paymentEvents, sqliteLedgerTx } from './sqlite-ledger-tx.js';
import { runSqliteTransaction } from './sqlite-transaction.js';
import type { PortalStore } from './portal-store.js';
import { sqlitePortalStore } from './sqlite-portal.js';
import { DeliverySpool } from './delivery-spool.js';
import { GroupCommit } from './group-commit.js';
import { SerialQueue } from './serial-queue.js';
import { BACKGROUND_BUSY_WAIT_MS, FOREGROUND_BUSY_WAIT_MS, retryWhileBusy, SQLITE_BUSY_TIMEOUT_MS } from './sqlite-busy.js';

/** A webhook waits this long for the ledger before its delivery goes to the spool instead. */
const DELIVERY_BUSY_WAIT_MS = 100;
const SPOOL_DRAIN_INTERVAL_MS = 250;
const SPOOL_DRAIN_BATCH = 500;

export class SqliteStore implements ServerStore {
  readonly kind = 'sqlite' as const;
  readonly description: string;
  readonly outbox: Outbox;
  readonly portal: PortalStore;
  private readonly queue = new SerialQueue();
  private readonly sqliteOutbox: SqliteOutbox;
  private spool: DeliverySpool | null;
  private drainTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private readonly tx: LedgerTx;
  private forgotten = false;
  private readonly deliveries = new GroupCommit((events: NewPaymentEvent[]) => this.commitDeliveries(events));

  constructor(
    readonly ledger: Ledger,
    options: { random: (n: number) => Uint8Array; actor?: string },
  ) {
    this.description = `sqlite:${ledger.path}`;
    // The one synchronous wait left: a few ms, then SQLITE_BUSY and an asynchronous retry.
    ledger.db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    this.spool = ledger.path === ':memory:' ? null : DeliverySpool.open(ledger.path, false);
    if (this.spool?.count()) this.scheduleDrain();
    this.sqliteOutbox = new SqliteOutbox(ledger, { random: options.random, actor: options.actor ?? 'server', source: 'server' });
    this.tx = sqliteLedgerTx(ledger, () => this.sqliteOutbox, { missingLicense: (key) => `no license ${key} on this server`, onForgotten: () => (this.forgotten = true) });
    this.portal = sqlitePortalStore(() => this.db, (job) => this.run(job, FOREGROUND_BUSY_WAIT_MS));
    const o = this.sqliteOutbox;
    this.outbox = {
      enqueue: (m) => this.run(() => o.enqueue(m)),
      claimDue: (now, limit, opts) => this.run(() => o.claimDue(now, limit, opts)),
      markSent: (id, info) => this.run(() => o.markSent(id, info)),
      markFailed: (id, info) => this.run(() => o.markFailed(id, info)),
      list: (filter) => this.run(() => o.list(filter)),
      get: (id) => this.run(() => o.get(id)),
    };
  }

  static open(path: string, options: { random: (n: number) => Uint8Array }): SqliteStore {
    return new SqliteStore(new Ledger(path), options);
  }

  private get db() {
    return this.ledger.db;
  }

  /** Every operation: one at a time on the connection, and retried (asynchronously) while another process writes. */
  private run<T>(job: () => Promise<T> | T, waitMs = BACKGROUND_BUSY_WAIT_MS): Promise<T> {
    return retryWhileBusy(() => this.queue.run(job), { waitMs, stopped: () => this.closing });
  }

  rateLimitBackend(): RateLimitBackend {
    const db = openRateLimitFile(this.ledger.path);
    return { kind: 'sqlite', db, close: () => db.close() };
  }

  async migrate(): Promise<void> {
    // The Ledger constructor migrates.
  }

  health(): Promise<void> {
    return this.run(() => void this.db.prepare('SELECT 1').get(), FOREGROUND_BUSY_WAIT_MS);
  }

  async close(): Promise<void> {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = null;
    // One last move of spooled deliveries if the ledger is free; otherwise they wait in the spool for the next start.
    await this.drainSpool(FOREGROUND_BUSY_WAIT_MS).catch(() => 0);
    this.closing = true;
    await this.queue.run(() => {
      this.spool?.close();
      this.ledger.close();
    });
  }

  transaction<T>(fn: (tx: LedgerTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.run(async () => {
      this.forgotten = false;
      const result = await runSqliteTransaction(this.ledger, () => fn(this.tx));
      if (this.forgotten) this.ledger.checkpoint();
      return result;
    }, options.busyWaitMs ?? BACKGROUND_BUSY_WAIT_MS);
  }

  applyEvents(events: readonly LedgerEvent[]) {
    // Only sync push applies events outside a transaction: an HTTP request, so a short wait, then 503.
    return this.run(() => this.ledger.applyEvents(events), FOREGROUND_BUSY_WAIT_MS);
  }

  eventsSince(afterSeq: number, limit: number): Promise<SeqEvent[]> {
    return this.run(() =>
      (this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, limit) as SqlRow[]).map(rowToEvent),
    );
  }

  lastSeq(): Promise<number> {
    return this.run(() => Number((this.db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as SqlRow).s));
  }

  counts(): Promise<{ events: number; licenses: number }> {
    return this.run(() => {
      const events = Number((this.db.prepare('SELECT count(*) AS n FROM events').get() as SqlRow).n);
      const licenses = Number((this.db.prepare('SELECT count(*) AS n FROM licenses').get() as SqlRow).n);
      return { events, licenses };
    });
  }

  getLicense(key: string) {
    return this.run(() => this.ledger.getLicense(key));
  }

  getByOrderRef(ref: string) {
    return this.run(() => licenseByOrder(this.ledger, ref, null));
  }

  findByEmail(email: string) {
    return this.run(() => this.ledger.findByEmail(email));
  }

  recordPaymentEvent(e: NewPaymentEvent): Promise<{ id: number; created: boolean; spooled?: boolean }> {
    return this.deliveries.add(e);
  }

  /** One transaction (one fsync) for every delivery that arrived together; the spool if the ledger is held. */
  private async commitDeliveries(events: NewPaymentEvent[]): Promise<{ id: number; created: boolean; spooled?: boolean }[]> {
    try {
      return await this.run(() => this.ledger.transaction(() => events.map((e) => insertPaymentEvent(this.ledger, e))), DELIVERY_BUSY_WAIT_MS);
    } catch (error) {
      if (!(error instanceof StoreBusyError) || this.closing) throw error;
    }
    // The ledger is held by another writer: commit the deliveries to the spool, answer, move them over later.
    await this.queue.run(() => (this.spool ??= DeliverySpool.open(this.ledger.path, true)!).add(events));
    this.scheduleDrain();
    return events.map(() => ({ id: 0, created: true, spooled: true }));
  }

  /**
   * Moves spooled deliveries into payment_events (one ledger transaction per batch, then off the spool; a
   * crash in between only re-inserts what is already there, which the unique event id ignores). Returns how many.
   */
  async drainSpool(waitMs = SPOOL_DRAIN_INTERVAL_MS): Promise<number> {
    let moved = 0;
    for (;;) {
      const spool = this.spool;
      if (!spool || this.closing) return moved;
      const batch = await this.queue.run(() => spool.peek(SPOOL_DRAIN_BATCH));
      if (batch.length === 0) return moved;
      await this.run(() => this.ledger.transaction(() => batch.forEach((d) => insertPaymentEvent(this.ledger, d.event))), waitMs);
      await this.queue.run(() => spool.remove(batch.map((d) => d.id)));
      moved += batch.length;
    }
  }

  private scheduleDrain(): void {
    if (this.drainTimer || this.closing) return;
    this.drainTimer = setTimeout(() => {
      void this.drainSpool().then(
        () => {
          this.drainTimer = null;
        },
        () => {
          // Still busy: try again shortly (deliveries are safe in the spool meanwhile).
          this.drainTimer = null;
          this.scheduleDrain();
        },
      );
    }, SPOOL_DRAIN_INTERVAL_MS);
    // A CLI process that opened the store (server events) must not stay alive for this.
    this.drainTimer.unref();
  }

  pendingOrders(limit: number, now: Date): Promise<string[]> {
    // An order backing off waits until its latest next try (ISO text compares in time order).
    return this.run(() =>
      (this.db.prepare(
        `SELECT order_ref FROM payment_events WHERE processed = 0 AND order_ref IS NOT NULL GROUP BY order_ref
         HAVING coalesce(max(next_attempt_at), '') <= ? ORDER BY min(id) LIMIT ?`,
      ).all(now.toISOString(), limit) as SqlRow[]).map((r) => String(r.order_ref)),
    );
  }

  retryFailedPaymentEvents(orderRef?: string): Promise<number> {
    return this.run(() =>
      this.db
        // A ping the Gumroad API did not confirm goes back as what it claimed, to be confirmed again.
        .prepare(`UPDATE payment_events SET processed = 0, processed_at = NULL, error = NULL, attempts = 0, next_attempt_at = NULL,
                    event_type = CASE WHEN event_type = 'rejected' AND normalized IS NOT NULL THEN coalesce(json_extract(normalized, '$.kind'), event_type) ELSE event_type END
                  WHERE error IS NOT NULL AND order_ref IS NOT NULL ${orderRef ? 'AND order_ref = ?' : ''}`)
        .run(...(orderRef ? [orderRef] : [])).changes,
    );
  }

  async listPaymentEvents(filter: { orderRef?: string; limit?: number } = {}): Promise<StoredPaymentEvent[]> {
    await this.drainSpool().catch(() => 0); // what is still spooled shows once the ledger is free
    return this.run(() =>
      filter.orderRef
        ? paymentEvents(this.ledger, 'WHERE order_ref = ? ORDER BY id LIMIT ?', [filter.orderRef, filter.limit ?? 10_000])
        : paymentEvents(this.ledger, 'ORDER BY id LIMIT ?', [filter.limit ?? 10_000]),
    );
  }

  addAdminKey(x: string, kid: string, label: string | null, at: Date): Promise<{ created: boolean }> {
    return this.run(() => {
      const info = this.db.prepare('INSERT INTO admin_keys (kid, x, label, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(kid, x, label, at.toISOString());
      return { created: info.changes > 0 };
    });
  }

  adminKeys(): Promise<AdminKeyRecord[]> {
    return this.run(() =>
      (this.db.prepare('SELECT * FROM admin_keys ORDER BY created_at').all() as SqlRow[]).map((r) => ({
        kid: String(r.kid), x: String(r.x), label: (r.label as string | null) ?? null, createdAt: String(r.created_at),
      })),
    );
  }

  useNonce(nonce: string, expiresAtSec: number, nowSec: number): Promise<boolean> {
    return this.run(() =>
      this.ledger.transaction(() => {
        this.db.prepare('DELETE FROM admin_nonces WHERE expires_at < ?').run(nowSec);
        return this.db.prepare('INSERT INTO admin_nonces (nonce, expires_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(nonce, expiresAtSec).changes > 0;
      }), FOREGROUND_BUSY_WAIT_MS);
  }
}
