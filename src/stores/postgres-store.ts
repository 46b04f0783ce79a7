// The server on PostgreSQL (several replicas may share it). Same projection as the SQLite ledger; one
// order at a time per order ref (advisory transaction locks) and unique order refs, so a sale delivered
// to two replicas still makes one license.
import pg from 'pg';
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import type { SqlRow } from '../ledger/row-mapping.js';
import { sameMessage, UNSENT_STATUSES } from '../mail/outbox.js';
import type { LedgerTx } from '../usecases/ledger-port.js';
import type { AdminKeyRecord, RateLimitBackend, NewPaymentEvent, SeqEvent, ServerStore, StoredPaymentEvent } from './store.js';
import { applyEventsPg, pgRowToEvent, pgRowToLicense } from './pg-events.js';
import { migratePostgres } from './postgres-migrations.js';
import { PostgresOutbox } from './postgres-outbox.js';
import { withPgTransaction } from './pg-transaction.js';
import type { PortalStore } from './portal-store.js';
import { pgPortalStore } from './pg-portal.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

export class PostgresStore implements ServerStore {
  readonly kind = 'postgres' as const;
  readonly description: string;
  readonly outbox: PostgresOutbox;
  readonly portal: PortalStore;

  private constructor(
    private readonly pool: pg.Pool,
    description: string,
    random: (n: number) => Uint8Array,
  ) {
    this.description = description;
    this.outbox = new PostgresOutbox(pool, { random, actor: 'server' });
    this.portal = pgPortalStore(pool);
    // An idle client losing its connection must not crash the server; the next query reconnects.
    pool.on('error', () => undefined);
  }

  static connect(url: string, options: { random: (n: number) => Uint8Array; max?: number }): PostgresStore {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 10_000 });
    return new PostgresStore(pool, redactUrl(url), options.random);
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await migratePostgres(client);
    } finally {
      client.release();
    }
  }

  async health(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  rateLimitBackend(): RateLimitBackend {
    return { kind: 'postgres', pool: this.pool };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  transaction<T>(fn: (tx: LedgerTx) => Promise<T>, options: { lockKey?: string } = {}): Promise<T> {
    return withPgTransaction(this.pool, (client) => fn(this.txApi(client)), options.lockKey);
  }

  private txApi(c: pg.PoolClient): LedgerTx {
    return {
      missingLicense: (key) => `no license ${key} on this server`,
      applyEvents: (events, options) => applyEventsPg(c, events, options),
      // PostgreSQL's search index (a GIN trigram index) is maintained by the database as rows change.
      bulkWrites: (fn) => fn(),
      getLicense: (key) => license(c, 'license_key = $1', [key]),
      getByOrderRef: async (ref, gumroadOrderId) =>
        (await license(c, 'order_ref = $1', [ref])) ?? (gumroadOrderId ? license(c, 'gumroad_order_id = $1', [gumroadOrderId]) : null),
      findByEmail: (email) => licensesByEmail(c, email),
      // As the SQLite ledger's findByEmailEver: the email in the license's mint or change events counts too.
      findByEmailEver: async (email) =>
        (await c.query<SqlRow>(
          `SELECT * FROM licenses WHERE lower(email) = lower($1) OR license_key IN (SELECT license_key FROM events
             WHERE type IN ('minted', 'imported', 'changed') AND (lower(data->>'email') = lower($1) OR lower(data->>'fromEmail') = lower($1)))
           ${BY_ISSUE}`, [email])).rows.map(pgRowToLicense),
      // As the SQLite ledger's `list --status active`: ISO text compares in time order.
      activeLicenses: async (now) =>
        (await c.query<SqlRow>('SELECT * FROM licenses WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1) ORDER BY issued_at DESC, license_key', [now.toISOString()]))
          .rows.map(pgRowToLicense),
      eventCount: async (keys) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE license_key = ANY($1::text[])', [keys])).rows[0]!.n),
      activationEvents: async (key) =>
        (await c.query<SqlRow>(
          `SELECT seq, id, license_key, type, at, actor, source, data::text AS data FROM events
           WHERE license_key = $1 AND type IN ('activated', 'deactivated', 'activations_reset') ORDER BY at, id`, [key]))
          .rows.map((r) => { const { seq: _seq, ...e } = pgRowToEvent(r); return e; }),
      lockLicense: async (key) => {
        await c.query('SELECT 1 FROM licenses WHERE license_key = $1 FOR UPDATE', [key]);
      },
      revocations: async (product) => ({
        seq: Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM events WHERE type IN ('revoked', 'reinstated') AND license_key IN (SELECT license_key FROM licenses WHERE product = $1)`, [product])).rows[0]!.n),
        revokedKeys: (await c.query<{ license_key: string }>('SELECT license_key FROM licenses WHERE product = $1 AND revoked_at IS NOT NULL ORDER BY license_key', [product])).rows.map((r) => r.license_key),
      }),
      countUse: async (key, by) =>
        Number((await c.query<{ uses: string }>('INSERT INTO license_uses (license_key, uses) VALUES ($1, $2) ON CONFLICT (license_key) DO UPDATE SET uses = license_uses.uses + excluded.uses RETURNING uses', [key, by])).rows[0]!.uses),
      lastEventAt: async (key) => (await c.query<{ at: string | null }>('SELECT max(at) AS at FROM events WHERE license_key = $1', [key])).rows[0]?.at ?? null,
      enqueueMail: (m) => this.outbox.enqueue(m, c),
      unsentMailLike: async (m) => (await this.outbox.list({ statuses: UNSENT_STATUSES, limit: 10_000 }, c)).find((w) => sameMessage(m, w)) ?? null,
      mintedFor: async (key) => {
        const row = (await c.query<{ license_key: string; mail_queued: boolean }>('SELECT license_key, mail_queued FROM admin_mint_requests WHERE idempotency_key = $1', [key])).rows[0];
        return row ? { licenseKey: row.license_key, mailQueued: row.mail_queued } : null;
      },
      recordMintRequest: async (key, licenseKey, at, mailQueued) => {
        await c.query('INSERT INTO admin_mint_requests (idempotency_key, license_key, created_at, mail_queued) VALUES ($1, $2, $3, $4)', [key, licenseKey, at, mailQueued]);
      },
      paymentEventsForOrder: async (ref) => (await c.query<SqlRow>('SELECT * FROM payment_events WHERE order_ref = $1 ORDER BY id', [ref])).rows.map(toPaymentEvent),
      markPaymentEvents: async (ids, at, error) => {
        await c.query('UPDATE payment_events SET processed = true, processed_at = $2, error = $3, next_attempt_at = NULL WHERE id = ANY($1::bigint[])', [ids, at, error]);
      },
      pendingAttempts: async (ref) => {
        const { rows } = await c.query<{ id: string; attempts: number }>('SELECT id, attempts FROM payment_events WHERE order_ref = $1 AND NOT processed', [ref]);
        return { ids: rows.map((r) => Number(r.id)), attempts: Math.max(0, ...rows.map((r) => Number(r.attempts))) };
      },
      updatePaymentEvent: async (id, change) => {
        await c.query(
          `UPDATE payment_events SET event_type = $2, normalized = $3::jsonb, processed = processed OR $4::boolean,
             processed_at = coalesce($5::timestamptz, processed_at), error = coalesce($6, error), event_id = coalesce($7, event_id) WHERE id = $1`,
          [id, change.eventType, JSON.stringify(change.normalized), Boolean(change.final), change.final?.at ?? null, change.final?.error ?? null, change.eventId ?? null],
        );
      },
      addPaymentEvent: (e) => insertPaymentEvent(c, e),
      markAttemptFailed: async (ids, a) => {
        await c.query(
          `UPDATE payment_events SET attempts = $2, error = $3, next_attempt_at = $4, processed = $5::boolean, processed_at = CASE WHEN $5::boolean THEN $6::timestamptz END
           WHERE id = ANY($1::bigint[])`,
          [ids, a.attempts, a.error, a.retryAt, a.retryAt === null, a.at],
        );
      },
    };
  }

  async applyEvents(events: readonly LedgerEvent[]) {
    return this.transaction((tx) => tx.applyEvents(events));
  }

  async eventsSince(afterSeq: number, limit: number): Promise<SeqEvent[]> {
    const { rows } = await this.pool.query<SqlRow>(
      'SELECT seq, id, license_key, type, at, actor, source, data::text AS data FROM events WHERE seq > $1 ORDER BY seq LIMIT $2',
      [afterSeq, limit],
    );
    return rows.map(pgRowToEvent);
  }

  async lastSeq(): Promise<number> {
    const { rows } = await this.pool.query<{ s: string }>('SELECT coalesce(max(seq), 0) AS s FROM events');
    return Number(rows[0]!.s);
  }

  async counts(): Promise<{ events: number; licenses: number }> {
    const { rows } = await this.pool.query<{ e: string; l: string }>('SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM licenses) AS l');
    return { events: Number(rows[0]!.e), licenses: Number(rows[0]!.l) };
  }

  getLicense(key: string) {
    return license(this.pool, 'license_key = $1', [key]);
  }

  getByOrderRef(ref: string) {
    return license(this.pool, 'order_ref = $1', [ref]);
  }

  findByEmail(email: string): Promise<LicenseRow[]> {
    return licensesByEmail(this.pool, email);
  }

  recordPaymentEvent(e: NewPaymentEvent): Promise<{ id: number; created: boolean }> {
    return insertPaymentEvent(this.pool, e);
  }

  async pendingOrders(limit: number, now: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ order_ref: string }>(
      `SELECT order_ref FROM payment_events WHERE NOT processed AND order_ref IS NOT NULL GROUP BY order_ref
       HAVING max(next_attempt_at) IS NULL OR max(next_attempt_at) <= $2 ORDER BY min(id) LIMIT $1`,
      [limit, now],
    );
    return rows.map((r) => r.order_ref);
  }

  async retryFailedPaymentEvents(orderRef?: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      `UPDATE payment_events SET processed = false, processed_at = NULL, error = NULL, attempts = 0, next_attempt_at = NULL,
         event_type = CASE WHEN event_type = 'rejected' AND normalized IS NOT NULL THEN coalesce(normalized->>'kind', event_type) ELSE event_type END
       WHERE error IS NOT NULL AND order_ref IS NOT NULL ${orderRef ? 'AND order_ref = $1' : ''}`,
      orderRef ? [orderRef] : [],
    );
    return rowCount ?? 0;
  }

  async listPaymentEvents(filter: { orderRef?: string; limit?: number } = {}): Promise<StoredPaymentEvent[]> {
    const { rows } = filter.orderRef
      ? await this.pool.query<SqlRow>('SELECT * FROM payment_events WHERE order_ref = $1 ORDER BY id LIMIT $2', [filter.orderRef, filter.limit ?? 10_000])
      : await this.pool.query<SqlRow>('SELECT * FROM payment_events ORDER BY id LIMIT $1', [filter.limit ?? 10_000]);
    return rows.map(toPaymentEvent);
  }

  async addAdminKey(x: string, kid: string, label: string | null, at: Date): Promise<{ created: boolean }> {
    const r = await this.pool.query('INSERT INTO admin_keys (kid, x, label, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [kid, x, label, at]);
    return { created: (r.rowCount ?? 0) > 0 };
  }

  async adminKeys(): Promise<AdminKeyRecord[]> {
    const { rows } = await this.pool.query<SqlRow>('SELECT * FROM admin_keys ORDER BY created_at');
    return rows.map((r) => ({ kid: String(r.kid), x: String(r.x), label: (r.label as string | null) ?? null, createdAt: (r.created_at as Date).toISOString() }));
  }

  async useNonce(nonce: string, expiresAtSec: number, nowSec: number): Promise<boolean> {
    await this.pool.query('DELETE FROM admin_nonces WHERE expires_at < $1', [nowSec]);
    const r = await this.pool.query('INSERT INTO admin_nonces (nonce, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [nonce, expiresAtSec]);
    return (r.rowCount ?? 0) > 0;
  }
}

async function insertPaymentEvent(q: Queryable, e: NewPaymentEvent): Promise<{ id: number; created: boolean }> {
  const final = e.final ?? false;
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO payment_events (provider, event_id, event_type, order_ref, raw_payload, normalized, received_at, processed, processed_at, error)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz, $8::boolean, CASE WHEN $8::boolean THEN $7::timestamptz END, $9)
     ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
    [e.provider, e.eventId, e.eventType, e.orderRef, e.rawPayload, e.normalized == null ? null : JSON.stringify(e.normalized), e.receivedAt, final, e.finalError ?? null],
  );
  if (rows[0]) return { id: Number(rows[0].id), created: true };
  const existing = await q.query<{ id: string }>('SELECT id FROM payment_events WHERE provider = $1 AND event_id = $2', [e.provider, e.eventId]);
  return { id: Number(existing.rows[0]!.id), created: false };
}

/** Oldest first; licenses issued in the same millisecond in the order they arrived (SQLite's rowid order). */
const BY_ISSUE = 'ORDER BY issued_at, (SELECT min(seq) FROM events e WHERE e.license_key = licenses.license_key)';

async function licensesByEmail(q: Queryable, email: string): Promise<LicenseRow[]> {
  const { rows } = await q.query<SqlRow>(`SELECT * FROM licenses WHERE lower(email) = lower($1) ${BY_ISSUE}`, [email]);
  return rows.map(pgRowToLicense);
}

async function license(q: Queryable, where: string, params: unknown[]): Promise<LicenseRow | null> {
  const { rows } = await q.query<SqlRow>(`SELECT * FROM licenses WHERE ${where} LIMIT 1`, params);
  return rows[0] ? pgRowToLicense(rows[0]) : null;
}

function toPaymentEvent(r: SqlRow): StoredPaymentEvent {
  return {
    id: Number(r.id),
    provider: String(r.provider),
    eventId: String(r.event_id),
    eventType: String(r.event_type),
    orderRef: (r.order_ref as string | null) ?? null,
    normalized: r.normalized ?? null,
    receivedAt: (r.received_at as Date).toISOString(),
    processed: r.processed === true,
    processedAt: r.processed_at ? (r.processed_at as Date).toISOString() : null,
    error: (r.error as string | null) ?? null,
    attempts: Number(r.attempts ?? 0),
    nextAttemptAt: r.next_attempt_at ? (r.next_attempt_at as Date).toISOString() : null,
  };
}

/** postgres://user:secret@host/db → postgres://user@host/db (for logs and messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
