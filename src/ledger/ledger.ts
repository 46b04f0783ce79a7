// The local SQLite ledger: the event log is the truth, `licenses` is its projection kept in step
// inside the same transaction.
import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ApplyResult } from './apply-result.js';
import { scrubEventData, STATE_EVENTS, type LedgerEvent } from './events.js';
import { migrate } from './migrations.js';
import { contestEvents, losingOrderClaims, orderContests, type OrderContest } from './order-claims.js';
import { canonicalOrderRef, OrderTakenError, parseOrderId } from './order-identity.js';
import { projectLicense, type LicenseRow } from './project.js';
import { LICENSE_COLUMNS, licenseToParams, rowToEvent, rowToLicense, type SqlRow } from './row-mapping.js';

/** The ledger's `PRAGMA synchronous` (see the constructor); bench/durability.mjs compares it with NORMAL. */
export const LEDGER_SYNCHRONOUS = 'FULL';

export type { ApplyResult };

interface KeyBatch {
  key: string;
  existed: boolean;
  forgotten: boolean;
  newlyForgotten: boolean;
  touched: boolean;
  inserted: LedgerEvent[];
}

/** From this many new licenses in one write, the search index is filled once at its end, not row by row. */
const BULK_SEARCH_INDEX_AT = 32;

export class Ledger {
  readonly db: Database.Database;
  readonly path: string;
  private readonly stmts;

  constructor(path: string, options: { readonly?: boolean } = {}) {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      // Customers' names and emails live here: readable by the owner only (SQLite's -wal/-shm follow).
      if (!options.readonly && !existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    }
    this.path = path;
    this.db = new Database(path, { readonly: options.readonly ?? false });
    this.db.pragma('busy_timeout = 10000');
    if (!options.readonly) {
      this.db.pragma('journal_mode = WAL');
      // FULL: each commit is fsynced before it returns. Every commit here is followed by a promise to the
      // outside (a webhook answered 2xx, a license printed or mailed), and WAL with NORMAL survives a process
      // crash but not a power cut or an OS crash. The cost is one fsync per commit (bench/durability.mjs).
      this.db.pragma(`synchronous = ${LEDGER_SYNCHRONOUS}`);
      // Deleted and overwritten content is zeroed, so a forgotten person does not linger in free space.
      this.db.pragma('secure_delete = ON');
      migrate(this.db);
    }
    const placeholders = LICENSE_COLUMNS.map(() => '?').join(', ');
    this.stmts = {
      insertEvent: this.db.prepare(
        'INSERT INTO events (id, license_key, type, at, actor, source, data) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      ),
      eventsForKey: this.db.prepare('SELECT * FROM events WHERE license_key = ? ORDER BY at, id'),
      lastEventAt: this.db.prepare('SELECT max(at) AS at FROM events WHERE license_key = ?'),
      keyState: this.db.prepare(
        "SELECT EXISTS (SELECT 1 FROM events WHERE license_key = ?) AS existed, EXISTS (SELECT 1 FROM events WHERE license_key = ? AND type = 'forgotten') AS forgotten",
      ),
      scrubEvent: this.db.prepare('UPDATE events SET data = ? WHERE seq = ?'),
      upsertLicense: this.db.prepare(
        `INSERT INTO licenses (${LICENSE_COLUMNS.join(', ')}) VALUES (${placeholders})
         ON CONFLICT (license_key) DO UPDATE SET ${LICENSE_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`,
      ),
      getLicense: this.db.prepare('SELECT * FROM licenses WHERE license_key = ?'),
      orderHolders: this.db.prepare('SELECT * FROM licenses WHERE (gumroad_order_id = ? OR order_ref = ?) AND license_key <> ?'),
      clearOrderClaim: {
        gumroadOrderId: this.db.prepare('UPDATE licenses SET gumroad_order_id = NULL WHERE license_key = ?'),
        orderRef: this.db.prepare('UPDATE licenses SET order_ref = NULL WHERE license_key = ?'),
      },
      getByOrder: this.db.prepare('SELECT * FROM licenses WHERE gumroad_order_id IN (?, ?) OR order_ref IN (?, ?)'),
      byEmail: this.db.prepare('SELECT * FROM licenses WHERE lower(email) = lower(?) ORDER BY issued_at'),
      // A license whose email was changed away from this one still holds it in its history (minted/changed).
      byEmailEver: this.db.prepare(
        `SELECT * FROM licenses WHERE lower(email) = lower(@email) OR license_key IN (SELECT license_key FROM events
           WHERE type IN ('minted', 'imported', 'changed') AND (lower(json_extract(data, '$.email')) = lower(@email) OR lower(json_extract(data, '$.fromEmail')) = lower(@email)))
         ORDER BY issued_at`,
      ),
    };
  }

  static open(path: string): Ledger {
    return new Ledger(path);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Inserts new events (ignoring ones already present) and re-projects every license they touch. */
  applyEvents(events: readonly LedgerEvent[]): ApplyResult {
    return this.db.transaction(() => this.applyEventsInTransaction(events)).immediate();
  }

  /**
   * For callers that already hold a transaction (mint + outbox message, imports). refuseOrderConflicts (the
   * mint paths): a license for an order another license holds is refused by the unique order columns
   * (OrderTakenError), not settled as two licenses minted apart that met at sync.
   */
  applyEventsInTransaction(events: readonly LedgerEvent[], options: { refuseOrderConflicts?: boolean } = {}): ApplyResult {
    let inserted = 0;
    const keys = new Map<string, KeyBatch>();
    for (const event of events) {
      const id = event.licenseKey.toLowerCase();
      let batch = keys.get(id);
      if (!batch) {
        const state = this.stmts.keyState.get(event.licenseKey, event.licenseKey) as { existed: number; forgotten: number };
        batch = { key: event.licenseKey, existed: state.existed === 1, forgotten: state.forgotten === 1, newlyForgotten: false, touched: false, inserted: [] };
        keys.set(id, batch);
      }
      const data = batch.forgotten || event.type === 'forgotten' ? scrubEventData(event.data) : event.data;
      const info = this.stmts.insertEvent.run(event.id, event.licenseKey, event.type, event.at, event.actor, event.source, JSON.stringify(data));
      if (info.changes === 0) continue;
      inserted++;
      batch.inserted.push(data === event.data ? event : { ...event, data });
      if (event.type === 'forgotten' && !batch.forgotten) batch.forgotten = batch.newlyForgotten = true;
      if (STATE_EVENTS.has(event.type)) batch.touched = true;
    }
    const affectedKeys: string[] = [];
    const contests: OrderContest[] = [];
    const newKeys = [...keys.values()].filter((b) => b.touched && !b.existed).length;
    const searchIndex = newKeys >= BULK_SEARCH_INDEX_AT ? this.deferSearchIndex() : null;
    let failed = true;
    try {
      for (const batch of keys.values()) {
        if (batch.newlyForgotten) this.scrubEventsOf(batch.key);
        if (!batch.touched) continue;
        // A key first seen in this batch is projected from memory: no need to read its events back.
        const row = projectLicense(batch.existed ? this.eventsFor(batch.key) : batch.inserted);
        if (row) this.upsert(options.refuseOrderConflicts ? row : this.settleOrderClaims(row, contests));
        affectedKeys.push(batch.key);
      }
      failed = false;
    } finally {
      // Always, error or not: whatever the caller then does with the transaction, no row is left unindexed.
      try {
        searchIndex?.finish();
      } catch (error) {
        if (!failed) throw error;
      }
    }
    return { inserted, duplicates: events.length - inserted, affectedKeys, contested: this.recordContests(contests) };
  }

  /**
   * Leaves the search index of licenses inserted from here on to finish(), which indexes them all in one
   * statement (migration 12). Only for the length of one applyEventsInTransaction, inside its transaction.
   */
  private deferSearchIndex(): { finish(): void } {
    const since = Number(this.db.prepare('SELECT coalesce(max(rowid), 0) FROM licenses').pluck().get());
    this.db.prepare('INSERT INTO search_index_deferred (since_rowid) VALUES (?)').run(since);
    return {
      finish: () => {
        this.db.prepare('DELETE FROM search_index_deferred').run();
        this.db.prepare(
          `INSERT INTO licenses_search(rowid, license_key, email, name, orders)
             SELECT rowid, license_key, email, name, orders FROM licenses_search_source WHERE rowid > ?`,
        ).run(since);
      },
    };
  }

  /** Writes each contest's two history events; returns the contests that were not recorded before. */
  private recordContests(contests: readonly OrderContest[]): OrderContest[] {
    return contests.filter((c) => {
      let fresh = false;
      for (const e of contestEvents(c)) {
        fresh = this.stmts.insertEvent.run(e.id, e.licenseKey, e.type, e.at, e.actor, e.source, JSON.stringify(e.data)).changes > 0 || fresh;
      }
      return fresh;
    });
  }

  private upsert(row: LicenseRow): void {
    try {
      this.stmts.upsertLicense.run(...licenseToParams(row));
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' && /licenses\.(order_ref|gumroad_order_id)/.test(e.message ?? '')) {
        throw new OrderTakenError(canonicalOrderRef(row.gumroadOrderId, row.orderRef) ?? '?');
      }
      throw error;
    }
  }

  /** Another license may already hold this row's order id (minted apart, met at sync): the earliest keeps it. */
  private settleOrderClaims(row: LicenseRow, contests: OrderContest[]): LicenseRow {
    if (!row.gumroadOrderId && !row.orderRef) return row;
    const holders = (this.stmts.orderHolders.all(row.gumroadOrderId, row.orderRef, row.licenseKey) as SqlRow[]).map(rowToLicense);
    if (holders.length === 0) return row;
    contests.push(...orderContests([row, ...holders]));
    const settled = { ...row };
    for (const { licenseKey, column } of losingOrderClaims([row, ...holders])) {
      if (licenseKey.toLowerCase() === row.licenseKey.toLowerCase()) settled[column] = null;
      else this.stmts.clearOrderClaim[column].run(licenseKey);
    }
    return settled;
  }

  private scrubEventsOf(licenseKey: string): void {
    for (const e of this.eventsFor(licenseKey)) {
      const scrubbed = JSON.stringify(scrubEventData(e.data));
      if (scrubbed !== JSON.stringify(e.data)) this.stmts.scrubEvent.run(scrubbed, e.seq);
    }
  }

  eventsFor(licenseKey: string): (LedgerEvent & { seq: number })[] {
    return (this.stmts.eventsForKey.all(licenseKey) as SqlRow[]).map(rowToEvent);
  }

  lastEventAt(licenseKey: string): string | null {
    return (this.stmts.lastEventAt.get(licenseKey) as { at: string | null }).at;
  }

  getLicense(licenseKey: string): LicenseRow | null {
    const row = this.stmts.getLicense.get(licenseKey) as SqlRow | undefined;
    return row ? rowToLicense(row) : null;
  }

  /** By either order column, in the form given or the canonical one ("X" finds gumroad:X and the reverse). */
  getByOrderId(orderId: string): LicenseRow | null {
    const id = parseOrderId(orderId);
    const row = this.stmts.getByOrder.get(orderId, id.gumroadOrderId ?? orderId, orderId, id.orderRef) as SqlRow | undefined;
    return row ? rowToLicense(row) : null;
  }

  findByEmail(email: string): LicenseRow[] {
    return (this.stmts.byEmail.all(email) as SqlRow[]).map(rowToLicense);
  }

  /** Licenses that have this email now or had it before an edit (erasure must reach both). A scan of events: rare use. */
  findByEmailEver(email: string): LicenseRow[] {
    return (this.stmts.byEmailEver.all({ email }) as SqlRow[]).map(rowToLicense);
  }

  /** Copies the WAL into the main file and empties it, so old page images (e.g. of a forgotten person) go. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
