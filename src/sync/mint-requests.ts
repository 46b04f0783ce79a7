// The idempotency key of a remote mint, kept in the local ledger until the request is settled, so that
// running the same `mint` again after an interrupted attempt (Ctrl-C, a crash, a lost answer) sends the
// same key and gets the license the server already made instead of a second one. A settled request
// (answered, or minted locally as break-glass) is forgotten: the same command later is a new mint.
import { createHash } from 'node:crypto';
import type { Ledger } from '../ledger/ledger.js';

/** How long an unsettled request is retried with its old key; after that the same command is a new request. */
export const PENDING_MINT_TTL_MS = 24 * 60 * 60 * 1000;

/** The request as the server sees it (url + body), in a stable order. */
export function mintRequestHash(url: string, body: Record<string, unknown>): string {
  const canonical = JSON.stringify([url, Object.keys(body).sort().map((k) => [k, body[k]])]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function pendingMintKey(ledger: Ledger, hash: string, now: Date, random: (n: number) => Uint8Array): { key: string; retry: boolean } {
  return ledger.transaction(() => {
    const row = ledger.db.prepare('SELECT idempotency_key, created_at FROM pending_remote_mints WHERE request_hash = ?').get(hash) as
      | { idempotency_key: string; created_at: string }
      | undefined;
    if (row && now.getTime() - Date.parse(row.created_at) < PENDING_MINT_TTL_MS) return { key: row.idempotency_key, retry: true };
    const key = Buffer.from(random(18)).toString('base64url');
    ledger.db
      .prepare('INSERT INTO pending_remote_mints (request_hash, idempotency_key, created_at) VALUES (?, ?, ?) ON CONFLICT (request_hash) DO UPDATE SET idempotency_key = excluded.idempotency_key, created_at = excluded.created_at')
      .run(hash, key, now.toISOString());
    return { key, retry: false };
  });
}

export function settleMintRequest(ledger: Ledger, hash: string): void {
  ledger.db.prepare('DELETE FROM pending_remote_mints WHERE request_hash = ?').run(hash);
}
