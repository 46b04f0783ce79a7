// The outbox on PostgreSQL. Replicas claim rows with FOR UPDATE SKIP LOCKED inside one UPDATE, so two
// workers never hold the same message; a 'sent' row is never claimed again.
import type pg from 'pg';
import { newEventId, type LedgerEvent } from '../ledger/events.js';
import {
  DEFAULT_LEASE_MS, type ClaimOptions, type EnqueueResult, type FailureInfo, type NewOutboxMessage, type Outbox,
  type OutboxListFilter, type OutboxMessage, type OutboxStatus, type SentInfo,
} from '../mail/outbox.js';
import { applyEventsPg } from './pg-events.js';
import { withPgTransaction } from './pg-transaction.js';

type Queryable = Pick<pg.PoolClient, 'query'>;
type Row = Record<string, unknown>;

export class PostgresOutbox implements Outbox<Queryable | undefined> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { random: (n: number) => Uint8Array; actor: string },
  ) {}

  /** Pass the transaction's client to commit the message with the license event. */
  async enqueue(m: NewOutboxMessage, tx?: Queryable): Promise<EnqueueResult> {
    if (!tx) return this.inTransaction((c) => this.enqueue(m, c));
    const { rows } = await tx.query<Row>(
      `INSERT INTO outbox (idempotency_key, kind, to_addr, subject, text, html, attachments, message_id, license_keys, status, attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::text[], 'pending', 0, $10, $10)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
      [m.idempotencyKey, m.kind, m.to, m.subject, m.text, m.html, JSON.stringify(m.attachments), m.messageId, m.licenseKeys, m.createdAt],
    );
    if (rows[0]) {
      const id = Number(rows[0].id);
      await this.recordEvents(tx, 'mail_queued', m.licenseKeys, m.createdAt, { messageId: m.messageId, outboxId: id, to: m.to, ...(m.requestedVia ? { via: m.requestedVia } : {}) });
      return { id, messageId: m.messageId, created: true };
    }
    const existing = await tx.query<Row>('SELECT id, message_id FROM outbox WHERE idempotency_key = $1', [m.idempotencyKey]);
    return { id: Number(existing.rows[0]!.id), messageId: String(existing.rows[0]!.message_id), created: false };
  }

  async claimDue(now: Date, limit: number, options: ClaimOptions = {}): Promise<OutboxMessage[]> {
    const until = new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS));
    const expiredLease = `(status = 'sending' AND claimed_until <= $1)`;
    let where: string;
    const params: unknown[] = [now, until, limit];
    if (options.ids) {
      if (options.ids.length === 0) return [];
      params.push(options.ids.map(Number));
      where = `id = ANY($4::bigint[]) AND (status IN ('pending', 'failed') OR ${expiredLease})`;
    } else if (options.all) {
      where = `status IN ('pending', 'failed') OR ${expiredLease}`;
    } else {
      where = `(status = 'pending' AND next_attempt_at <= $1) OR ${expiredLease}`;
    }
    const { rows } = await this.pool.query<Row>(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, claimed_until = $2
       WHERE id IN (SELECT id FROM outbox WHERE ${where} ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      params,
    );
    return rows.map(toMessage).sort((a, b) => a.id - b.id);
  }

  async markSent(id: number, info: SentInfo): Promise<boolean> {
    return this.inTransaction(async (c) => {
      const { rows } = await c.query<Row>(
        `UPDATE outbox SET status = 'sent', sent_at = $1, smtp_response = $2, claimed_until = NULL, last_error = NULL,
           next_attempt_at = NULL, text = '', html = NULL, attachments = '[]'
         WHERE id = $3 AND status = 'sending' RETURNING message_id, to_addr, license_keys`,
        [info.at, info.response, id],
      );
      const row = rows[0];
      if (!row) return false;
      await this.recordEvents(c, 'mail_sent', row.license_keys as string[], info.at, { messageId: String(row.message_id), outboxId: id, to: String(row.to_addr) });
      return true;
    });
  }

  async markFailed(id: number, info: FailureInfo): Promise<void> {
    await this.pool.query(
      `UPDATE outbox SET status = $1, next_attempt_at = $2, last_error = $3, claimed_until = NULL WHERE id = $4 AND status = 'sending'`,
      [info.retryAt ? 'pending' : 'failed', info.retryAt, info.error, id],
    );
  }

  /** `tx`: read inside that transaction (its own uncommitted rows included). */
  async list(filter: OutboxListFilter = {}, tx?: Queryable): Promise<OutboxMessage[]> {
    const statuses: readonly OutboxStatus[] = filter.statuses ?? ['pending', 'sending', 'failed'];
    const { rows } = await (tx ?? this.pool).query<Row>('SELECT * FROM outbox WHERE status = ANY($1::text[]) ORDER BY id LIMIT $2', [statuses, filter.limit ?? 1000]);
    return rows.map(toMessage);
  }

  async get(id: number): Promise<OutboxMessage | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM outbox WHERE id = $1', [id]);
    return rows[0] ? toMessage(rows[0]) : null;
  }

  private async recordEvents(c: Queryable, type: 'mail_queued' | 'mail_sent', keys: string[], at: Date, data: Record<string, unknown>): Promise<void> {
    const events: LedgerEvent[] = keys.map((licenseKey) => ({
      id: newEventId(at, this.options.random), licenseKey, type, at: at.toISOString(), actor: this.options.actor, source: 'server', data,
    }));
    await applyEventsPg(c, events);
  }

  private inTransaction<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return withPgTransaction(this.pool, fn);
  }
}

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v === null || v === undefined ? null : String(v));

function toMessage(r: Row): OutboxMessage {
  return {
    id: Number(r.id),
    idempotencyKey: String(r.idempotency_key),
    kind: r.kind as OutboxMessage['kind'],
    to: String(r.to_addr),
    subject: String(r.subject),
    text: String(r.text),
    html: (r.html as string | null) ?? null,
    attachments: r.attachments as OutboxMessage['attachments'],
    messageId: String(r.message_id),
    licenseKeys: r.license_keys as string[],
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    createdAt: iso(r.created_at)!,
    nextAttemptAt: iso(r.next_attempt_at),
    claimedUntil: iso(r.claimed_until),
    sentAt: iso(r.sent_at),
    lastError: (r.last_error as string | null) ?? null,
    smtpResponse: (r.smtp_response as string | null) ?? null,
  };
}
