// One SQLite write transaction around an async use case. BEGIN IMMEDIATE takes the write lock up front (as
// better-sqlite3's .immediate() does), so the use case's reads and its writes see one state. The caller runs
// one transaction at a time on the connection (the CLI is sequential; `serve` queues, sqlite-store.ts).
import type { Ledger } from '../ledger/ledger.js';

export async function runSqliteTransaction<T>(ledger: Ledger, fn: () => Promise<T>): Promise<T> {
  const db = ledger.db;
  if (db.inTransaction) throw new Error('a ledger transaction is already open on this connection');
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
