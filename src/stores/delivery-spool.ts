// Where the SQLite server puts a webhook delivery when the ledger is held by another writer (a long CLI
// import): a small SQLite file of its own next to the ledger, written only by the server, so it is never
// locked for long. The delivery is committed durably here before the 2xx, and moved into the ledger's
// payment_events (idempotently: unique provider + event id) once the ledger is free.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync } from 'node:fs';
import type { NewPaymentEvent } from './store.js';

export interface SpooledDelivery {
  id: number;
  event: NewPaymentEvent;
}

export class DeliverySpool {
  readonly db: Database.Database;

  static pathFor(ledgerPath: string): string {
    return `${ledgerPath}.spool`;
  }

  /** Opens the spool if it exists (or `create`); null otherwise, so a server that never spooled has no file. */
  static open(ledgerPath: string, create: boolean): DeliverySpool | null {
    const path = DeliverySpool.pathFor(ledgerPath);
    if (!existsSync(path)) {
      if (!create) return null;
      // Payloads hold buyers' names and emails: owner-only, like the ledger.
      closeSync(openSync(path, 'a', 0o600));
    }
    return new DeliverySpool(path);
  }

  private constructor(readonly path: string) {
    this.db = new Database(path);
    this.db.pragma('busy_timeout = 1000');
    this.db.pragma('journal_mode = WAL');
    // The 2xx that follows a spooled delivery is a promise: the commit must survive a power cut.
    this.db.pragma('synchronous = FULL');
    this.db.exec('CREATE TABLE IF NOT EXISTS spooled_deliveries (id INTEGER PRIMARY KEY, event TEXT NOT NULL)');
  }

  /** Commits the deliveries together (one fsync). */
  add(events: readonly NewPaymentEvent[]): void {
    const stmt = this.db.prepare('INSERT INTO spooled_deliveries (event) VALUES (?)');
    this.db.transaction(() => events.forEach((e) => stmt.run(JSON.stringify({ ...e, receivedAt: e.receivedAt.toISOString() }))))();
  }

  peek(limit: number): SpooledDelivery[] {
    const rows = this.db.prepare('SELECT id, event FROM spooled_deliveries ORDER BY id LIMIT ?').all(limit) as { id: number; event: string }[];
    return rows.map((r) => {
      const e = JSON.parse(r.event) as NewPaymentEvent & { receivedAt: string };
      return { id: r.id, event: { ...e, receivedAt: new Date(e.receivedAt) } };
    });
  }

  remove(ids: readonly number[]): void {
    const stmt = this.db.prepare('DELETE FROM spooled_deliveries WHERE id = ?');
    this.db.transaction(() => ids.forEach((id) => stmt.run(id)))();
  }

  count(): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM spooled_deliveries').get() as { n: number }).n);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
