// Whole ledger files, for `restore`: is this file a ledger we can use, is the live one open elsewhere,
// and a safe copy of it before it is replaced.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { MIGRATIONS } from './migrations.js';

export interface LedgerFileInfo {
  schema: number;
  licenses: number;
  events: number;
}

const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Checks a ledger file (SQLite, intact, our schema, not newer than this binary) and counts what it holds. */
export function inspectLedgerFile(file: string): LedgerFileInfo {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`${file}: no such file`);
  if (existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0) {
    throw new UserError(`${file} has a -wal file beside it: it is in use or was not closed cleanly; make a consistent copy with "license-admin backup" and restore that`);
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('schema_version'); // reads the header: fails here for a file that is not SQLite
  } catch (error) {
    throw new UserError(`${file} is not a SQLite database (${(error as Error).message})`);
  }
  try {
    const problems = (db.pragma('integrity_check(5)') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (problems.join() !== 'ok') throw new UserError(`${file} is damaged (integrity_check: ${problems.join('; ')}); it cannot be restored`);
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const schema = db.pragma('user_version', { simple: true }) as number;
    if (schema < 1 || !tables.has('licenses') || !tables.has('events')) throw new UserError(`${file} is a SQLite database but not a license-admin ledger (no licenses and events tables)`);
    if (schema > LATEST) throw new UserError(`${file} was written by a newer license-admin (schema ${schema}, this version knows ${LATEST}); upgrade license-admin, then restore`);
    const count = (table: string) => (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number);
    return { schema, licenses: count('licenses'), events: count('events') };
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) throw new UserError(`${file} is damaged (${(error as Error).message}); it cannot be restored`);
    throw error;
  } finally {
    db.close();
  }
}

/**
 * Holds the live ledger exclusively, or says who else has it open. In WAL mode every open connection
 * (a running server, another command) keeps a shared lock, so an exclusive one is refused while any exists.
 */
export function lockExclusively(file: string): Database.Database {
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return db;
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new UserError(`${file} is open in another process (a running "license-admin serve", or another command); stop it, then restore`);
    }
    throw error;
  }
}

/** A consistent, compact copy, readable by the owner only (it holds customers' names and emails). */
export function copyLedger(db: Database.Database, to: string): void {
  closeSync(openSync(to, 'wx', 0o600));
  db.prepare('VACUUM INTO ?').run(to);
}
