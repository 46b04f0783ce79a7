// The outbox in the local SQLite ledger (table from migration 2). Enqueue joins the caller's transaction
// (better-sqlite3 transactions are synchronous and per connection), so the message commits with the
// license event or not at all. mail_queued / mail_sent events are written alongside.
import type { Statement } from 'better-sqlite3';
import type { Ledger } from '../ledger/ledger.js';
import { newEventId, type LedgerEvent } from '../ledger/events.js';
import {
  DEFAULT_LEASE_MS, sameMessage, UNSENT_STATUSES, type ClaimOptions, type EnqueueResult, type FailureInfo, type NewOutboxMessage, type Outbox,
  type OutboxListFilter, type OutboxMessage, type OutboxStatus, type SentInfo,
} from './outbox.js';

export interface SqliteOutboxOptions {
  random: (n: number) => Uint8Array;
  /** Recorded on the mail events: "cli:alice", "server". */
  actor: string;
  source: string;
}

type Row = Record<string, unknown>;

export class SqliteOutbox implements Outbox<void> {
  constructor(
    private readonly ledger: Ledger,
    private readonly options: SqliteOutboxOptions,
  ) {}

  private readonly statements = new Map<string, Statement>();

  private get db() {
    return this.ledger.db;
  }

  /** Each SQL text is prepared once (there are a handful). */
  private sql(text: string): Statement {
    let stmt = this.statements.get(text);
    if (!stmt) this.statements.set(text, (stmt = this.db.prepare(text)));
    return stmt;
  }

  /** Call inside the license transaction; on its own it opens one. */
  enqueue(m: NewOutboxMessage): EnqueueResult {
    return this.inTransaction(() => {
      const at = m.createdAt.toISOString();
      const info = this.sql(
        `INSERT INTO outbox (idempotency_key, kind, to_addr, subject, text, html, attachments, message_id, license_key, license_keys,
           status, attempts, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
      ).run(m.idempotencyKey, m.kind, m.to, m.subject, m.text, m.html, JSON.stringify(m.attachments), m.messageId,
        m.licenseKeys[0] ?? null, JSON.stringify(m.licenseKeys), at, at);
      if (info.changes === 0) {
        const existing = this.sql('SELECT id, message_id FROM outbox WHERE idempotency_key = ?').get(m.idempotencyKey) as Row;
        return { id: Number(existing.id), messageId: String(existing.message_id), created: false };
      }
      const id = Number(info.lastInsertRowid);
      this.recordEvents('mail_queued', m.licenseKeys, m.createdAt, { messageId: m.messageId, outboxId: id, to: m.to, ...(m.requestedVia ? { via: m.requestedVia } : {}) });
      return { id, messageId: m.messageId, created: true };
    });
  }

  claimDue(now: Date, limit: number, options: ClaimOptions = {}): OutboxMessage[] {
    const nowIso = now.toISOString();
    const until = new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
    const expiredLease = `(status = 'sending' AND claimed_until <= @now)`;
    let where: string;
    if (options.ids) {
      if (options.ids.length === 0) return [];
      where = `id IN (SELECT value FROM json_each(@ids)) AND (status IN ('pending', 'failed') OR ${expiredLease})`;
    } else if (options.all) {
      where = `status IN ('pending', 'failed') OR ${expiredLease}`;
    } else {
      where = `(status = 'pending' AND next_attempt_at <= @now) OR ${expiredLease}`;
    }
    return this.inTransaction(() => {
      const rows = this.sql(
        `UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_until = @until
         WHERE id IN (SELECT id FROM outbox WHERE ${where} ORDER BY next_attempt_at, id LIMIT @limit)
         RETURNING *`,
      ).all({ now: nowIso, until, limit, ids: JSON.stringify((options.ids ?? []).map(Number)) }) as Row[];
      return rows.map(toMessage).sort((a, b) => a.id - b.id);
    });
  }

  markSent(id: number, info: SentInfo): boolean {
    return this.inTransaction(() => {
      const row = this.sql(
        `UPDATE outbox SET status = 'sent', sent_at = ?, smtp_response = ?, claimed_until = NULL, last_error = NULL,
           next_attempt_at = NULL, text = '', html = NULL, attachments = '[]'
         WHERE id = ? AND status = 'sending' RETURNING message_id, to_addr, license_keys`,
      ).get(info.at.toISOString(), info.response, id) as Row | undefined;
      if (!row) return false;
      const keys = JSON.parse(String(row.license_keys)) as string[];
      this.recordEvents('mail_sent', keys, info.at, { messageId: String(row.message_id), outboxId: id, to: String(row.to_addr) });
      return true;
    });
  }

  markFailed(id: number, info: FailureInfo): void {
    this.sql(
      `UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, claimed_until = NULL
       WHERE id = ? AND status = 'sending'`,
    ).run(info.retryAt ? 'pending' : 'failed', info.retryAt?.toISOString() ?? null, info.error, id);
  }

  list(filter: OutboxListFilter = {}): OutboxMessage[] {
    const statuses: readonly OutboxStatus[] = filter.statuses ?? ['pending', 'sending', 'failed'];
    const rows = this.sql(`SELECT * FROM outbox WHERE status IN (${statuses.map(() => '?').join(', ')}) ORDER BY id LIMIT ?`)
      .all(...statuses, filter.limit ?? 1000) as Row[];
    return rows.map(toMessage);
  }

  /** An unsent message saying exactly what `m` would (outbox.ts sameMessage), if there is one. */
  unsentLike(m: NewOutboxMessage): OutboxMessage | null {
    return this.list({ statuses: UNSENT_STATUSES, limit: 10_000 }).find((w) => sameMessage(m, w)) ?? null;
  }

  get(id: number): OutboxMessage | null {
    const row = this.sql('SELECT * FROM outbox WHERE id = ?').get(id) as Row | undefined;
    return row ? toMessage(row) : null;
  }

  private recordEvents(type: 'mail_queued' | 'mail_sent', keys: string[], at: Date, data: Record<string, unknown>): void {
    const events: LedgerEvent[] = keys.map((licenseKey) => ({
      id: newEventId(at, this.options.random), licenseKey, type, at: at.toISOString(), actor: this.options.actor, source: this.options.source, data,
    }));
    if (events.length) this.ledger.applyEventsInTransaction(events);
  }

  private inTransaction<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.ledger.transaction(fn);
  }
}

function toMessage(r: Row): OutboxMessage {
  return {
    id: Number(r.id),
    idempotencyKey: String(r.idempotency_key),
    kind: r.kind as OutboxMessage['kind'],
    to: String(r.to_addr),
    subject: String(r.subject),
    text: String(r.text),
    html: (r.html as string | null) ?? null,
    attachments: JSON.parse(String(r.attachments)) as OutboxMessage['attachments'],
    messageId: String(r.message_id),
    licenseKeys: JSON.parse(String(r.license_keys)) as string[],
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    createdAt: String(r.created_at),
    nextAttemptAt: (r.next_attempt_at as string | null) ?? null,
    claimedUntil: (r.claimed_until as string | null) ?? null,
    sentAt: (r.sent_at as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    smtpResponse: (r.smtp_response as string | null) ?? null,
  };
}
