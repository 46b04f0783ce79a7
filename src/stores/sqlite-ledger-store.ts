// The CLI's ledger store: the use cases' port over the local SQLite file (sqlite-ledger-tx.ts), one
// transaction at a time. better-sqlite3's own busy_timeout waits for another writer, as every CLI command
// always has; `serve` wraps the same transaction in its queue and asynchronous busy retries (sqlite-store.ts).
import type { Ledger } from '../ledger/ledger.js';
import type { SqliteOutbox } from '../mail/sqlite-outbox.js';
import type { LedgerStore, LedgerTx } from '../usecases/ledger-port.js';
import { sqliteLedgerTx } from './sqlite-ledger-tx.js';
import { runSqliteTransaction } from './sqlite-transaction.js';

export interface SqliteLedgerStoreOptions {
  random: (n: number) => Uint8Array;
  /** Recorded on the outbox's mail events. */
  actor: string;
  source: string;
  missingLicense: (licenseKey: string) => string;
}

export class SqliteLedgerStore implements LedgerStore {
  private readonly tx: LedgerTx;
  private forgotten = false;

  constructor(
    readonly ledger: Ledger,
    options: SqliteLedgerStoreOptions,
  ) {
    let outbox: SqliteOutbox | undefined;
    const loadOutbox = async () => (outbox ??= new (await import('../mail/sqlite-outbox.js')).SqliteOutbox(ledger, { random: options.random, actor: options.actor, source: options.source }));
    this.tx = sqliteLedgerTx(ledger, loadOutbox, { missingLicense: options.missingLicense, onForgotten: () => (this.forgotten = true) });
  }

  async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    this.forgotten = false;
    const result = await runSqliteTransaction(this.ledger, () => fn(this.tx));
    // A forgotten person's old page images leave the WAL too, not only the tables.
    if (this.forgotten) this.ledger.checkpoint();
    return result;
  }

  /** Reads in one snapshot without taking the write lock (WAL: a long import elsewhere does not block them). */
  async read<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    const db = this.ledger.db;
    if (db.inTransaction) throw new Error('a ledger transaction is already open on this connection');
    db.exec('BEGIN DEFERRED');
    try {
      return await fn(this.tx);
    } finally {
      if (db.inTransaction) db.exec('COMMIT');
    }
  }
}
