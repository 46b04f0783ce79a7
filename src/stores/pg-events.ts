// Applying ledger events to PostgreSQL with exactly the SQLite ledger's semantics (insert-if-new by id,
// scrub on forget, re-project every touched key with the pure projectLicense), batched: one unnest
// insert, one read of the touched keys' events, one upsert.
import type pg from 'pg';
import { scrubEventData, STATE_EVENTS, type LedgerEvent } from '../ledger/events.js';
import type { ApplyResult } from '../ledger/ledger.js';
import { contestEvents, losingOrderClaims, orderContests, type OrderContest } from '../ledger/order-claims.js';
import { canonicalOrderRef, OrderTakenError } from '../ledger/order-identity.js';
import { projectLicense, type LicenseRow } from '../ledger/project.js';
import { LICENSE_COLUMNS, licenseToParams, rowToEvent, rowToLicense, type SqlRow } from '../ledger/row-mapping.js';
import type { ApplyOptions } from './store.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Serialises event inserts across transactions so `seq` order is commit order (pull cursors rely on it). */
export const EVENTS_LOCK = 7_262_002;

export async function applyEventsPg(client: Queryable, events: readonly LedgerEvent[], options: ApplyOptions = {}): Promise<ApplyResult> {
  if (events.length === 0) return { inserted: 0, duplicates: 0, affectedKeys: [], contested: [] };
  await client.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
  const keys = [...new Set(events.map((e) => e.licenseKey))];
  const { rows: already } = await client.query<{ license_key: string }>(
    "SELECT DISTINCT license_key FROM events WHERE type = 'forgotten' AND license_key = ANY($1::text[])",
    [keys],
  );
  const forgotten = new Set([...already.map((r) => r.license_key), ...events.filter((e) => e.type === 'forgotten').map((e) => e.licenseKey)]);
  const inserted = await insertEvents(client, events.map((e) => (forgotten.has(e.licenseKey) ? { ...e, data: scrubEventData(e.data) } : e)));
  const touched = new Set<string>();
  const newlyForgotten = new Set<string>();
  for (const r of inserted) {
    if (r.type === 'forgotten') newlyForgotten.add(r.license_key);
    if (STATE_EVENTS.has(r.type)) touched.add(r.license_key);
  }
  if (newlyForgotten.size) await scrubForgotten(client, [...newlyForgotten]);
  const contests = touched.size ? await reproject(client, [...touched], options.refuseOrderConflicts ?? false) : [];
  return { inserted: inserted.length, duplicates: events.length - inserted.length, affectedKeys: [...touched], contested: await recordContests(client, contests) };
}

async function insertEvents(client: Queryable, events: readonly LedgerEvent[]): Promise<{ id: string; license_key: string; type: LedgerEvent['type'] }[]> {
  const cols: string[][] = [[], [], [], [], [], [], []];
  for (const e of events) [e.id, e.licenseKey, e.type, e.at, e.actor, e.source, JSON.stringify(e.data)].forEach((v, i) => cols[i]!.push(v));
  const { rows } = await client.query<{ id: string; license_key: string; type: LedgerEvent['type'] }>(
    `INSERT INTO events (id, license_key, type, at, actor, source, data)
     SELECT id, license_key, type, at, actor, source, data::json
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) WITH ORDINALITY
       AS t(id, license_key, type, at, actor, source, data, ord)
     ORDER BY ord
     ON CONFLICT (id) DO NOTHING
     RETURNING id, license_key, type`,
    cols,
  );
  return rows;
}

/** As the SQLite ledger: each contest's two history events; returns the contests not recorded before. */
async function recordContests(client: Queryable, contests: readonly OrderContest[]): Promise<OrderContest[]> {
  if (contests.length === 0) return [];
  const events = contests.map((c) => contestEvents(c));
  const fresh = new Set((await insertEvents(client, events.flat())).map((r) => r.id));
  return contests.filter((_, i) => events[i]!.some((e) => fresh.has(e.id)));
}

async function scrubForgotten(client: Queryable, keys: string[]): Promise<void> {
  const all = await eventsForKeys(client, keys);
  const changed = all
    .map((e) => ({ seq: e.seq, before: JSON.stringify(e.data), after: JSON.stringify(scrubEventData(e.data)) }))
    .filter((e) => e.before !== e.after);
  if (changed.length) {
    await client.query('UPDATE events SET data = t.data::json FROM unnest($1::bigint[], $2::text[]) AS t(seq, data) WHERE events.seq = t.seq', [
      changed.map((c) => c.seq), changed.map((c) => c.after),
    ]);
  }
  // The person leaves the mail queue and the payment audit trail too (their orders' raw payloads).
  await client.query(
    `UPDATE outbox SET to_addr = '', subject = '', text = '', html = NULL, attachments = '[]',
       last_error = CASE WHEN status = 'sent' THEN last_error ELSE 'cancelled: the recipient was forgotten' END,
       status = CASE WHEN status = 'sent' THEN 'sent' ELSE 'cancelled' END
     WHERE license_keys && $1::text[]`,
    [keys],
  );
  await client.query(
    `UPDATE payment_events SET raw_payload = '', normalized = NULL
     WHERE order_ref IN (SELECT order_ref FROM licenses WHERE license_key = ANY($1::text[]) AND order_ref IS NOT NULL)`,
    [keys],
  );
}

export async function eventsForKeys(client: Queryable, keys: string[]): Promise<(LedgerEvent & { seq: number })[]> {
  const { rows } = await client.query<SqlRow>(
    'SELECT seq, id, license_key, type, at, actor, source, data::text AS data FROM events WHERE license_key = ANY($1::text[]) ORDER BY license_key, at, id',
    [keys],
  );
  return rows.map(pgRowToEvent);
}

async function reproject(client: Queryable, keys: string[], refuseOrderConflicts: boolean): Promise<OrderContest[]> {
  const byKey = new Map<string, LedgerEvent[]>();
  for (const e of await eventsForKeys(client, keys)) {
    const list = byKey.get(e.licenseKey) ?? [];
    list.push(e);
    byKey.set(e.licenseKey, list);
  }
  const rows: LicenseRow[] = [];
  for (const list of byKey.values()) {
    const row = projectLicense(list);
    if (row) rows.push(row);
  }
  if (rows.length === 0) return [];
  // A mint refuses a held order (the unique columns decide); everything else settles it: the earliest keeps it.
  const contests = refuseOrderConflicts ? [] : await settleOrderClaims(client, rows);
  const records = rows.map((r) => {
    const params = licenseToParams(r);
    return Object.fromEntries(LICENSE_COLUMNS.map((c, i) => [c, c === 'verified' ? r.verified : params[i]]));
  });
  try {
    await client.query(
      `INSERT INTO licenses SELECT * FROM json_populate_recordset(NULL::licenses, $1::json)
       ON CONFLICT (license_key) DO UPDATE SET ${LICENSE_COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`,
      [JSON.stringify(records)],
    );
  } catch (error) {
    const e = error as { code?: string; constraint?: string };
    if (e.code === '23505' && (e.constraint === 'licenses_order_ref_key' || e.constraint === 'licenses_gumroad_order_id_key')) {
      const row = rows.find((r) => r.orderRef || r.gumroadOrderId);
      throw new OrderTakenError(row ? canonicalOrderRef(row.gumroadOrderId, row.orderRef) ?? '?' : '?');
    }
    throw error;
  }
  return contests;
}

/** Same rule as the SQLite ledger (order-claims.ts): the earliest license keeps a contested order id. */
async function settleOrderClaims(client: Queryable, rows: LicenseRow[]): Promise<OrderContest[]> {
  const gumroad = rows.map((r) => r.gumroadOrderId).filter((v): v is string => Boolean(v));
  const refs = rows.map((r) => r.orderRef).filter((v): v is string => Boolean(v));
  if (gumroad.length === 0 && refs.length === 0) return [];
  const { rows: holderRows } = await client.query<SqlRow>(
    'SELECT * FROM licenses WHERE (gumroad_order_id = ANY($1::text[]) OR order_ref = ANY($2::text[])) AND NOT license_key = ANY($3::text[])',
    [gumroad, refs, rows.map((r) => r.licenseKey)],
  );
  const holders = holderRows.map(pgRowToLicense);
  const losers = losingOrderClaims([...rows, ...holders]);
  if (losers.length === 0) return [];
  const contests = orderContests([...rows, ...holders]);
  const byKey = new Map(rows.map((r) => [r.licenseKey, r]));
  for (const { licenseKey, column } of losers) {
    const row = byKey.get(licenseKey);
    if (row) row[column] = null;
    else await client.query(`UPDATE licenses SET ${column === 'orderRef' ? 'order_ref' : 'gumroad_order_id'} = NULL WHERE license_key = $1`, [licenseKey]);
  }
  return contests;
}

export function pgRowToEvent(r: SqlRow): LedgerEvent & { seq: number } {
  return rowToEvent({ ...r, seq: Number(r.seq) });
}

export function pgRowToLicense(r: SqlRow): LicenseRow {
  return rowToLicense({ ...r, verified: r.verified ? 1 : 0 });
}
