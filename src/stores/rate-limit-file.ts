// The SQLite server's rate-limit counters: a small file of their own next to the ledger (`<ledger>.ratelimits`),
// so a CLI import holding the ledger's write lock never holds up a sign-in form, and every `serve` process
// on the box shares the counters. Counters only: hashed keys, points, expiry.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync } from 'node:fs';

export function openRateLimitFile(ledgerPath: string): Database.Database {
  if (ledgerPath === ':memory:') return new Database(':memory:');
  const path = `${ledgerPath}.ratelimits`;
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  const db = new Database(path);
  db.pragma('busy_timeout = 2000');
  db.pragma('journal_mode = WAL');
  // A counter lost to a power cut only forgives a few attempts: no need to wait for the disk.
  db.pragma('synchronous = NORMAL');
  return db;
}
