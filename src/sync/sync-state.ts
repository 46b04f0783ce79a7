// The CLI's sync bookkeeping in the ledger file (migration 4): which servers, and how far each side got.
import type { Ledger } from '../ledger/ledger.js';
import type { LedgerEvent } from '../ledger/events.js';
import { rowToEvent, type SqlRow } from '../ledger/row-mapping.js';

export interface RemoteState {
  url: string;
  adminKid: string | null;
  /** The last local events.seq the server acknowledged. */
  pushCursor: number;
  /** The last server seq applied locally. */
  pullCursor: number;
  addedAt: string;
  lastPushAt: string | null;
  lastPullAt: string | null;
}

function toState(r: SqlRow): RemoteState {
  return {
    url: r.url as string,
    adminKid: (r.admin_kid as string | null) ?? null,
    pushCursor: r.push_cursor as number,
    pullCursor: r.pull_cursor as number,
    addedAt: r.added_at as string,
    lastPushAt: (r.last_push_at as string | null) ?? null,
    lastPullAt: (r.last_pull_at as string | null) ?? null,
  };
}

export function getRemote(ledger: Ledger, url: string): RemoteState | null {
  const row = ledger.db.prepare('SELECT * FROM sync_remotes WHERE url = ?').get(url) as SqlRow | undefined;
  return row ? toState(row) : null;
}

/** Adds the server, or updates its admin key id; cursors of a known server are kept. */
export function upsertRemote(ledger: Ledger, url: string, adminKid: string | null, now: Date): RemoteState {
  ledger.db
    .prepare('INSERT INTO sync_remotes (url, admin_kid, added_at) VALUES (?, ?, ?) ON CONFLICT (url) DO UPDATE SET admin_kid = excluded.admin_kid')
    .run(url, adminKid, now.toISOString());
  return getRemote(ledger, url)!;
}

export function removeRemote(ledger: Ledger, url: string): boolean {
  return ledger.db.prepare('DELETE FROM sync_remotes WHERE url = ?').run(url).changes > 0;
}

/** Cursors only move forward: a late or repeated acknowledgement never rewinds them. */
export function advancePushCursor(ledger: Ledger, url: string, seq: number, now: Date): void {
  ledger.db.prepare('UPDATE sync_remotes SET push_cursor = max(push_cursor, ?), last_push_at = ? WHERE url = ?').run(seq, now.toISOString(), url);
}

export function advancePullCursor(ledger: Ledger, url: string, seq: number, now: Date): void {
  ledger.db.prepare('UPDATE sync_remotes SET pull_cursor = max(pull_cursor, ?), last_pull_at = ? WHERE url = ?').run(seq, now.toISOString(), url);
}

export function lastLocalSeq(ledger: Ledger): number {
  return (ledger.db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
}

export function countEventsAfter(ledger: Ledger, seq: number): number {
  return (ledger.db.prepare('SELECT count(*) AS n FROM events WHERE seq > ?').get(seq) as { n: number }).n;
}

export function localEventsAfter(ledger: Ledger, seq: number, limit: number): (LedgerEvent & { seq: number })[] {
  return (ledger.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as SqlRow[]).map(rowToEvent);
}
