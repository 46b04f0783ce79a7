// The portal's tables on PostgreSQL (migration 7), shared by every replica.
import type pg from 'pg';
import { reminderId, type PortalStore } from './portal-store.js';

export function pgPortalStore(pool: pg.Pool): PortalStore {
  return {
    async addToken(t) {
      await pool.query('DELETE FROM portal_tokens WHERE expires_at <= $1', [t.createdAt]);
      await pool.query('DELETE FROM portal_sessions WHERE expires_at <= $1', [t.createdAt]);
      await pool.query('INSERT INTO portal_tokens (token_hash, email, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)', [t.hash, t.email, t.purpose, t.expiresAt, t.createdAt]);
    },
    async consumeToken(hash, purpose, now) {
      const { rows } = await pool.query<{ email: string }>('DELETE FROM portal_tokens WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3 RETURNING email', [hash, purpose, now]);
      return rows[0]?.email ?? null;
    },
    async addSession(s) {
      await pool.query('INSERT INTO portal_sessions (session_hash, email, csrf_secret, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)', [s.hash, s.email, s.csrfSecret, s.expiresAt, s.createdAt]);
    },
    async session(hash, now) {
      const { rows } = await pool.query<{ email: string; csrf_secret: string; expires_at: Date }>('SELECT email, csrf_secret, expires_at FROM portal_sessions WHERE session_hash = $1 AND expires_at > $2', [hash, now]);
      const row = rows[0];
      return row ? { email: row.email, csrfSecret: row.csrf_secret, expiresAt: row.expires_at.toISOString() } : null;
    },
    async endSession(hash) {
      await pool.query('DELETE FROM portal_sessions WHERE session_hash = $1', [hash]);
    },
    async claimReminder(key, remindOn, days, at) {
      const r = await pool.query('INSERT INTO portal_reminders (license_key, remind_on, days_before, queued_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [key.toUpperCase(), remindOn, days, at]);
      return (r.rowCount ?? 0) > 0;
    },
    async remindersQueued(keys) {
      const { rows } = await pool.query<{ license_key: string; remind_on: string }>(
        "SELECT license_key, to_char(remind_on, 'YYYY-MM-DD') AS remind_on FROM portal_reminders WHERE license_key = ANY($1::text[])", [keys.map((k) => k.toUpperCase())]);
      return new Set(rows.map((r) => reminderId(r.license_key, r.remind_on)));
    },
  };
}
