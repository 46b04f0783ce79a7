// Versioned schema migrations, applied in order inside one IMMEDIATE transaction (PRAGMA user_version).
// Never edit a released migration: add the next one.
import type Database from 'better-sqlite3';
import { backfillEntitlements } from './backfill-entitlements.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** A data step after the SQL, in the same transaction (for what SQL alone cannot compute). */
  backfill?: (db: Database.Database) => void;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'licenses and the event log',
    sql: `
      CREATE TABLE licenses (
        license_key      TEXT PRIMARY KEY COLLATE NOCASE,
        product          TEXT NOT NULL,
        name             TEXT NOT NULL,
        email            TEXT NOT NULL,
        tier             TEXT NOT NULL,
        issued_at        TEXT NOT NULL,
        expires_at       TEXT,
        updates_until    TEXT,
        blob             TEXT NOT NULL,
        kid              TEXT,
        format           TEXT NOT NULL DEFAULT 'jws',
        gumroad_order_id TEXT UNIQUE,
        order_ref        TEXT UNIQUE,
        revoked_at       TEXT,
        revoke_reason    TEXT,
        notes            TEXT,
        source           TEXT NOT NULL,
        verified         INTEGER NOT NULL DEFAULT 1,
        forgotten_at     TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      CREATE INDEX idx_licenses_email ON licenses (lower(email));
      CREATE INDEX idx_licenses_expires ON licenses (expires_at) WHERE revoked_at IS NULL;
      CREATE INDEX idx_licenses_issued ON licenses (issued_at);

      CREATE TABLE events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        id          TEXT NOT NULL UNIQUE,
        license_key TEXT NOT NULL COLLATE NOCASE,
        type        TEXT NOT NULL,
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,
        source      TEXT NOT NULL,
        data        TEXT NOT NULL
      );
      CREATE INDEX idx_events_key ON events (license_key, at, id);

      -- Substring search over key, email, name and order id in milliseconds on a million rows.
      CREATE VIRTUAL TABLE licenses_search USING fts5(
        license_key, email, name, gumroad_order_id,
        content='licenses', content_rowid='rowid', tokenize='trigram'
      );
      CREATE TRIGGER licenses_search_ai AFTER INSERT ON licenses BEGIN
        INSERT INTO licenses_search(rowid, license_key, email, name, gumroad_order_id)
        VALUES (new.rowid, new.license_key, new.email, new.name, new.gumroad_order_id);
      END;
      CREATE TRIGGER licenses_search_ad AFTER DELETE ON licenses BEGIN
        INSERT INTO licenses_search(licenses_search, rowid, license_key, email, name, gumroad_order_id)
        VALUES ('delete', old.rowid, old.license_key, old.email, old.name, old.gumroad_order_id);
      END;
      CREATE TRIGGER licenses_search_au AFTER UPDATE OF license_key, email, name, gumroad_order_id ON licenses BEGIN
        INSERT INTO licenses_search(licenses_search, rowid, license_key, email, name, gumroad_order_id)
        VALUES ('delete', old.rowid, old.license_key, old.email, old.name, old.gumroad_order_id);
        INSERT INTO licenses_search(rowid, license_key, email, name, gumroad_order_id)
        VALUES (new.rowid, new.license_key, new.email, new.name, new.gumroad_order_id);
      END;
    `,
  },
  {
    version: 2,
    name: 'outbox',
    // The mail outbox (src/mail/sqlite-outbox.ts). A forget cancels and blanks the person's messages.
    sql: `
      CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        idempotency_key TEXT NOT NULL UNIQUE,
        kind            TEXT NOT NULL,
        to_addr         TEXT NOT NULL,
        subject         TEXT NOT NULL,
        text            TEXT NOT NULL,
        html            TEXT,
        attachments     TEXT NOT NULL DEFAULT '[]',
        message_id      TEXT NOT NULL,
        license_key     TEXT COLLATE NOCASE,
        license_keys    TEXT NOT NULL DEFAULT '[]',
        status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        claimed_until   TEXT,
        last_error      TEXT,
        smtp_response   TEXT,
        created_at      TEXT NOT NULL,
        sent_at         TEXT
      );
      CREATE INDEX idx_outbox_due ON outbox (status, next_attempt_at);
      CREATE INDEX idx_outbox_license ON outbox (license_key);
      CREATE TRIGGER outbox_forget AFTER INSERT ON events WHEN new.type = 'forgotten' BEGIN
        UPDATE outbox SET to_addr = '', subject = '', text = '', html = NULL, attachments = '[]',
          last_error = CASE WHEN status = 'sent' THEN last_error ELSE 'cancelled: the recipient was forgotten' END,
          status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'cancelled' END
        WHERE license_key = new.license_key
           OR EXISTS (SELECT 1 FROM json_each(outbox.license_keys) j WHERE j.value = new.license_key COLLATE NOCASE);
      END;
    `,
  },
  {
    version: 3,
    name: 'server: payment events, admin keys, admin nonces',
    // The server's tables (src/stores/sqlite-store.ts). payment_events is the raw webhook audit
    // trail, stored before processing; a forget blanks the payloads of the person's orders.
    sql: `
      CREATE TABLE payment_events (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        provider     TEXT NOT NULL,
        event_id     TEXT NOT NULL,
        event_type   TEXT NOT NULL,
        order_ref    TEXT,
        raw_payload  TEXT NOT NULL,
        normalized   TEXT,
        received_at  TEXT NOT NULL,
        processed    INTEGER NOT NULL DEFAULT 0,
        processed_at TEXT,
        error        TEXT,
        UNIQUE (provider, event_id)
      );
      CREATE INDEX idx_payment_events_order ON payment_events (order_ref);
      CREATE INDEX idx_payment_events_pending ON payment_events (order_ref) WHERE processed = 0;
      CREATE TRIGGER payment_events_forget AFTER INSERT ON events WHEN new.type = 'forgotten' BEGIN
        UPDATE payment_events SET raw_payload = '', normalized = NULL
        WHERE order_ref IS NOT NULL AND order_ref = (SELECT order_ref FROM licenses WHERE license_key = new.license_key);
      END;
      CREATE TABLE admin_keys (
        kid        TEXT PRIMARY KEY,
        x          TEXT NOT NULL UNIQUE,
        label      TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE admin_nonces (
        nonce      TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX idx_admin_nonces_expiry ON admin_nonces (expires_at);
    `,
  },
  {
    version: 4,
    name: 'sync state',
    // One row per server (src/sync/sync-state.ts). push_cursor: the last local events.seq the server
    // acknowledged; pull_cursor: the last server seq applied here. Both only move forward.
    sql: `
      CREATE TABLE sync_remotes (
        url           TEXT PRIMARY KEY,
        admin_kid     TEXT,
        push_cursor   INTEGER NOT NULL DEFAULT 0,
        pull_cursor   INTEGER NOT NULL DEFAULT 0,
        added_at      TEXT NOT NULL,
        last_push_at  TEXT,
        last_pull_at  TEXT
      );
    `,
  },
  {
    version: 5,
    name: 'server: fulfilment retries, canonical order refs',
    // A failing order backs off (src/server/fulfilment/retry-policy.ts): attempts and the next try are kept on
    // its pending payment events. A bare order id (CLI --order-id X) is the Gumroad order gumroad:X
    // (src/ledger/order-identity.ts); licenses minted before this get that order_ref unless another holds it.
    sql: `
      ALTER TABLE payment_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE payment_events ADD COLUMN next_attempt_at TEXT;
      UPDATE licenses SET order_ref = 'gumroad:' || gumroad_order_id
      WHERE order_ref IS NULL AND gumroad_order_id IS NOT NULL AND instr(gumroad_order_id, ':') = 0
        AND NOT EXISTS (SELECT 1 FROM licenses o WHERE o.order_ref = 'gumroad:' || licenses.gumroad_order_id);
    `,
  },
  {
    version: 6,
    name: 'search: accents folded, order refs and Gumroad order numbers',
    // src/ledger/queries.ts searchLicenses. The trigram index now folds diacritics (muller finds Müller) and
    // indexes every order id a license answers to: gumroad_order_id, order_ref, and the Gumroad `Order
    // Number` that imported sales (and webhooks that carry one) record in the license's origin event. It is
    // contentless: the ledger's names and emails are not copied into it (a forget re-indexes the blank row).
    sql: `
      DROP TRIGGER IF EXISTS licenses_search_ai;
      DROP TRIGGER IF EXISTS licenses_search_ad;
      DROP TRIGGER IF EXISTS licenses_search_au;
      DROP TABLE IF EXISTS licenses_search;
      DROP VIEW IF EXISTS licenses_search_source;
      CREATE VIRTUAL TABLE licenses_search USING fts5(
        license_key, email, name, orders,
        content='', contentless_delete=1, tokenize='trigram remove_diacritics 1'
      );
      CREATE VIEW licenses_search_source AS
        SELECT l.rowid AS rowid, l.license_key, l.email, l.name,
          trim(coalesce(l.gumroad_order_id, '') || ' ' || coalesce(l.order_ref, '') || ' ' || coalesce(
            (SELECT group_concat(json_extract(e.data, '$.orderNumber'), ' ') FROM events e
             WHERE e.license_key = l.license_key AND e.type IN ('minted', 'imported') AND json_extract(e.data, '$.orderNumber') IS NOT NULL), '')) AS orders
        FROM licenses l;
      CREATE TRIGGER licenses_search_ai AFTER INSERT ON licenses BEGIN
        INSERT INTO licenses_search(rowid, license_key, email, name, orders)
          SELECT rowid, license_key, email, name, orders FROM licenses_search_source WHERE rowid = new.rowid;
      END;
      CREATE TRIGGER licenses_search_ad AFTER DELETE ON licenses BEGIN
        DELETE FROM licenses_search WHERE rowid = old.rowid;
      END;
      CREATE TRIGGER licenses_search_au AFTER UPDATE OF license_key, email, name, gumroad_order_id, order_ref ON licenses BEGIN
        DELETE FROM licenses_search WHERE rowid = old.rowid;
        INSERT INTO licenses_search(rowid, license_key, email, name, orders)
          SELECT rowid, license_key, email, name, orders FROM licenses_search_source WHERE rowid = new.rowid;
      END;
      INSERT INTO licenses_search(rowid, license_key, email, name, orders)
        SELECT rowid, license_key, email, name, orders FROM licenses_search_source;
    `,
  },
  {
    version: 7,
    name: 'idempotent remote mints',
    // Server side: an admin mint's idempotency key -> the license it made, so a retried request gets that
    // license back instead of a second one. CLI side: the key of a remote mint whose answer never came,
    // kept until it does, so running the same command again retries with the same key (src/sync/mint-requests.ts).
    sql: `
      CREATE TABLE IF NOT EXISTS admin_mint_requests (
        idempotency_key TEXT PRIMARY KEY,
        license_key     TEXT NOT NULL,
        created_at      TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS pending_remote_mints (
        request_hash    TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL,
        created_at      TEXT NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'seats and features as columns',
    // They were claims in the blob only; now the projection carries them (src/ledger/entitlements.ts).
    sql: `
      ALTER TABLE licenses ADD COLUMN seats INTEGER;
      ALTER TABLE licenses ADD COLUMN features TEXT NOT NULL DEFAULT '[]';
    `,
    backfill: (db) => void backfillEntitlements(db),
  },
  {
    version: 9,
    name: 'replayed admin mints know whether the server mailed',
    // A retried remote mint is answered with what its first attempt did, mail included, so the CLI does
    // not mail a license the server already queued.
    sql: `ALTER TABLE admin_mint_requests ADD COLUMN mail_queued INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 10,
    name: 'license uses (Gumroad-compatible verify)',
    // How many times /v2/licenses/verify counted a license (Gumroad's `uses`): a server-side counter,
    // not a license fact, so it is not an event.
    sql: `CREATE TABLE IF NOT EXISTS license_uses (license_key TEXT PRIMARY KEY COLLATE NOCASE, uses INTEGER NOT NULL DEFAULT 0);`,
  },
  {
    version: 11,
    name: 'buyer portal: sign-in tokens, sessions, reminders',
    // Tokens and sessions are stored only as SHA-256 hashes of what the buyer holds (src/portal/secrets.ts);
    // one reminder row per license and date, so replicas never mail the same reminder twice.
    sql: `
      CREATE TABLE IF NOT EXISTS portal_tokens (
        token_hash  TEXT PRIMARY KEY,
        email       TEXT NOT NULL,
        purpose     TEXT NOT NULL,
        expires_at  TEXT NOT NULL,
        created_at  TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS portal_sessions (
        session_hash TEXT PRIMARY KEY,
        email        TEXT NOT NULL,
        csrf_secret  TEXT NOT NULL,
        expires_at   TEXT NOT NULL,
        created_at   TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS portal_reminders (
        license_key TEXT NOT NULL COLLATE NOCASE,
        remind_on   TEXT NOT NULL,
        days_before INTEGER NOT NULL,
        queued_at   TEXT NOT NULL,
        PRIMARY KEY (license_key, remind_on)
      );
    `,
  },
  {
    version: 12,
    name: 'search index filled once per bulk write',
    // Indexing row by row from the triggers cost about 60 µs a license (a third of a bulk import's apply);
    // one INSERT … SELECT over a batch costs a quarter of that. While a row of search_index_deferred exists
    // (only ever inside one Ledger.applyEventsInTransaction, in its transaction), rows above its since_rowid
    // are left to that method, which indexes them and deletes the row before it returns, error or not.
    sql: `
      CREATE TABLE IF NOT EXISTS search_index_deferred (since_rowid INTEGER NOT NULL);
      DROP TRIGGER IF EXISTS licenses_search_ai;
      DROP TRIGGER IF EXISTS licenses_search_ad;
      DROP TRIGGER IF EXISTS licenses_search_au;
      CREATE TRIGGER licenses_search_ai AFTER INSERT ON licenses
      WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred WHERE new.rowid > since_rowid) BEGIN
        INSERT INTO licenses_search(rowid, license_key, email, name, orders)
          SELECT rowid, license_key, email, name, orders FROM licenses_search_source WHERE rowid = new.rowid;
      END;
      CREATE TRIGGER licenses_search_ad AFTER DELETE ON licenses
      WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred WHERE old.rowid > since_rowid) BEGIN
        DELETE FROM licenses_search WHERE rowid = old.rowid;
      END;
      CREATE TRIGGER licenses_search_au AFTER UPDATE OF license_key, email, name, gumroad_order_id, order_ref ON licenses
      WHEN NOT EXISTS (SELECT 1 FROM search_index_deferred WHERE new.rowid > since_rowid) BEGIN
        DELETE FROM licenses_search WHERE rowid = old.rowid;
        INSERT INTO licenses_search(rowid, license_key, email, name, orders)
          SELECT rowid, license_key, email, name, orders FROM licenses_search_source WHERE rowid = new.rowid;
      END;
    `,
  },
];

export function migrate(db: Database.Database, migrations: Migration[] = MIGRATIONS): number {
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  // The common case takes no write lock, so read commands never wait for a writer.
  if ((db.pragma('user_version', { simple: true }) as number) === latest) return latest;
  const run = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    const latest = migrations[migrations.length - 1]?.version ?? 0;
    if (current > latest) {
      throw new Error(`this ledger was written by a newer license-admin (schema ${current}, this version knows ${latest}); upgrade license-admin`);
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      m.backfill?.(db);
      db.pragma(`user_version = ${m.version}`);
    }
    return latest;
  });
  return run.immediate();
}
