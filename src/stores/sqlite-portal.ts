// The portal's tables in the SQLite ledger (migration 11), every call through the store's one queue.
import type Database from 'better-sqlite3';
import { reminderId, type PortalStore } from './portal-store.js';

type Run = <T>(job: () => T) => Promise<T>;

export function sqlitePortalStore(db: () => Database.Database, run: Run): PortalStore {
  return {
    addToken: (t) => run(() => {
      const now = t.createdAt.toISOString();
      db().prepare('DELETE FROM portal_tokens WHERE expires_at <= ?').run(now);
      db().prepare('DELETE FROM portal_sessions WHERE expires_at <= ?').run(now);
      db().prepare('INSERT INTO portal_tokens (token_hash, email, purpose, expires_at, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(t.hash, t.email, t.purpose, t.expiresAt.toISOString(), now);
    }),
    consumeToken: (hash, purpose, now) => run(() => {
      const row = db().prepare('DELETE FROM portal_tokens WHERE token_hash = ? AND purpose = ? AND expires_at > ? RETURNING email')
        .get(hash, purpose, now.toISOString()) as { email: string } | undefined;
      return row?.email ?? null;
    }),
    addSession: (s) => run(() => void db().prepare('INSERT INTO portal_sessions (session_hash, email, csrf_secret, expires_at, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(s.hash, s.email, s.csrfSecret, s.expiresAt.toISOString(), s.createdAt.toISOString())),
    session: (hash, now) => run(() => {
      const row = db().prepare('SELECT email, csrf_secret, expires_at FROM portal_sessions WHERE session_hash = ? AND expires_at > ?')
        .get(hash, now.toISOString()) as { email: string; csrf_secret: string; expires_at: string } | undefined;
      return row ? { email: row.email, csrfSecret: row.csrf_secret, expiresAt: row.expires_at } : null;
    }),
    endSession: (hash) => run(() => void db().prepare('DELETE FROM portal_sessions WHERE session_hash = ?').run(hash)),
    claimReminder: (key, remindOn, days, at) => run(() =>
      db().prepare('INSERT INTO portal_reminders (license_key, remind_on, days_before, queued_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .run(key.toUpperCase(), remindOn, days, at.toISOString()).changes > 0),
    remindersQueued: (keys) => run(() => {
      const rows = db().prepare('SELECT license_key, remind_on FROM portal_reminders WHERE license_key IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(keys)) as { license_key: string; remind_on: string }[];
      return new Set(rows.map((r) => reminderId(r.license_key, r.remind_on)));
    }),
  };
}
