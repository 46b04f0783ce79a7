// PostgreSQL schema (seed 002's `licenses` with the SQLite ledger's columns, the event log, the payment
// audit trail, the outbox, admin keys and nonces). Versioned, applied in order under an advisory lock so
// replicas starting together migrate once. Timestamps that come from events stay ISO-8601 text, exactly as
// the events carry them, so the server's rows match the SQLite ledger's byte for byte.
import type pg from 'pg';
import { backfillEntitlementsPg } from './pg-backfill-entitlements.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
  /** A data step after the SQL, in the same transaction. */
  backfill?: (client: pg.PoolClient) => Promise<unknown>;
}

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    name: 'licenses, events, payment events, outbox, admin keys',
    sql: `
      CREATE TABLE licenses (
        license_key      text PRIMARY KEY,
        product          text NOT NULL,
        name             text NOT NULL,
        email            text NOT NULL,
        tier             text NOT NULL,
        issued_at        text NOT NULL,
        expires_at       text,
        updates_until    text,
        blob             text NOT NULL,
        kid              text,
        format           text NOT NULL DEFAULT 'jws',
        gumroad_order_id text UNIQUE,
        order_ref        text UNIQUE,
        revoked_at       text,
        revoke_reason    text,
        notes            text,
        source           text NOT NULL,
        verified         boolean NOT NULL DEFAULT true,
        forgotten_at     text,
        created_at       text NOT NULL,
        updated_at       text NOT NULL
      );
      CREATE INDEX idx_licenses_email ON licenses (lower(email));
      CREATE INDEX idx_licenses_expires ON licenses (expires_at) WHERE revoked_at IS NULL;

      CREATE TABLE events (
        seq         bigserial PRIMARY KEY,
        id          text NOT NULL UNIQUE,
        license_key text NOT NULL,
        type        text NOT NULL,
        at          text NOT NULL,
        actor       text NOT NULL,
        source      text NOT NULL,
        data        json NOT NULL
      );
      CREATE INDEX idx_events_key ON events (license_key, at, id);

      CREATE TABLE payment_events (
        id           bigserial PRIMARY KEY,
        provider     text NOT NULL,
        event_id     text NOT NULL,
        event_type   text NOT NULL,
        order_ref    text,
        raw_payload  text NOT NULL,
        normalized   jsonb,
        received_at  timestamptz NOT NULL,
        processed    boolean NOT NULL DEFAULT false,
        processed_at timestamptz,
        error        text,
        UNIQUE (provider, event_id)
      );
      CREATE INDEX idx_payment_events_order ON payment_events (order_ref);
      CREATE INDEX idx_payment_events_pending ON payment_events (id) WHERE NOT processed;

      CREATE TABLE outbox (
        id              bigserial PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        kind            text NOT NULL,
        to_addr         text NOT NULL,
        subject         text NOT NULL,
        text            text NOT NULL,
        html            text,
        attachments     jsonb NOT NULL DEFAULT '[]',
        message_id      text NOT NULL,
        license_keys    text[] NOT NULL DEFAULT '{}',
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        claimed_until   timestamptz,
        last_error      text,
        smtp_response   text,
        created_at      timestamptz NOT NULL,
        sent_at         timestamptz
      );
      CREATE INDEX idx_outbox_due ON outbox (status, next_attempt_at);
      CREATE INDEX idx_outbox_keys ON outbox USING gin (license_keys);

      CREATE TABLE admin_keys (
        kid        text PRIMARY KEY,
        x          text NOT NULL UNIQUE,
        label      text,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE admin_nonces (
        nonce      text PRIMARY KEY,
        expires_at bigint NOT NULL
      );
      CREATE INDEX idx_admin_nonces_expiry ON admin_nonces (expires_at);
    `,
  },
  {
    version: 2,
    name: 'fulfilment retries, canonical order refs',
    // Same as the SQLite ledger's migration 5.
    sql: `
      ALTER TABLE payment_events ADD COLUMN attempts integer NOT NULL DEFAULT 0, ADD COLUMN next_attempt_at timestamptz;
      UPDATE licenses SET order_ref = 'gumroad:' || gumroad_order_id
      WHERE order_ref IS NULL AND gumroad_order_id IS NOT NULL AND strpos(gumroad_order_id, ':') = 0
        AND NOT EXISTS (SELECT 1 FROM licenses o WHERE o.order_ref = 'gumroad:' || licenses.gumroad_order_id);
    `,
  },
  {
    version: 3,
    name: 'idempotent admin mints',
    // Same as the SQLite ledger's admin_mint_requests (migration 7).
    sql: `
      CREATE TABLE admin_mint_requests (
        idempotency_key text PRIMARY KEY,
        license_key     text NOT NULL,
        created_at      timestamptz NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'seats and features as columns',
    // As the SQLite ledger's migration 8: JSON text for features, like the other columns the events fill.
    sql: `
      ALTER TABLE licenses ADD COLUMN seats integer;
      ALTER TABLE licenses ADD COLUMN features text NOT NULL DEFAULT '[]';
    `,
    backfill: backfillEntitlementsPg,
  },
  {
    version: 5,
    name: 'replayed admin mints know whether the server mailed',
    // As the SQLite ledger's migration 9.
    sql: `ALTER TABLE admin_mint_requests ADD COLUMN mail_queued boolean NOT NULL DEFAULT false;`,
  },
  {
    version: 6,
    name: 'license uses (Gumroad-compatible verify)',
    // How many times /v2/licenses/verify counted a license (Gumroad's `uses`): a server-side counter,
    // not a license fact, so it is not an event.
    sql: `CREATE TABLE license_uses (license_key text PRIMARY KEY, uses bigint NOT NULL DEFAULT 0);`,
  },
  {
    version: 7,
    name: 'buyer portal: sign-in tokens, sessions, reminders',
    // As the SQLite ledger's migration 11.
    sql: `
      CREATE TABLE portal_tokens (
        token_hash  text PRIMARY KEY,
        email       text NOT NULL,
        purpose     text NOT NULL,
        expires_at  timestamptz NOT NULL,
        created_at  timestamptz NOT NULL
      );
      CREATE TABLE portal_sessions (
        session_hash text PRIMARY KEY,
        email        text NOT NULL,
        csrf_secret  text NOT NULL,
        expires_at   timestamptz NOT NULL,
        created_at   timestamptz NOT NULL
      );
      CREATE TABLE portal_reminders (
        license_key text NOT NULL,
        remind_on   date NOT NULL,
        days_before integer NOT NULL,
        queued_at   timestamptz NOT NULL,
        PRIMARY KEY (license_key, remind_on)
      );
    `,
  },
];

const MIGRATION_LOCK = 7_262_001;

export async function migratePostgres(client: pg.PoolClient, migrations: PgMigration[] = PG_MIGRATIONS): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS license_admin_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM license_admin_migrations');
    const current = rows[0]?.v ?? 0;
    const latest = migrations[migrations.length - 1]?.version ?? 0;
    if (current > latest) throw new Error(`the database was migrated by a newer license-admin (schema ${current}, this version knows ${latest}); upgrade license-admin`);
    for (const m of migrations) {
      if (m.version <= current) continue;
      await client.query(m.sql);
      await m.backfill?.(client);
      await client.query('INSERT INTO license_admin_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query('COMMIT');
    return latest;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
