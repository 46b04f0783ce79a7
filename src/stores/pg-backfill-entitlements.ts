// PostgreSQL migration 2's data step: the same back-fill as the SQLite ledger's migration 5
// (src/ledger/backfill-entitlements.ts), so both stores project seats and features alike.
import type pg from 'pg';
import type { LedgerEvent } from '../ledger/events.js';
import { projectLicense } from '../ledger/project.js';
import { eventsForKeys } from './pg-events.js';

const KEYS_PER_BATCH = 2_000;

export async function backfillEntitlementsPg(client: Pick<pg.PoolClient, 'query'>): Promise<number> {
  let after = '';
  let updated = 0;
  for (;;) {
    const { rows } = await client.query<{ license_key: string }>('SELECT license_key FROM licenses WHERE license_key > $1 ORDER BY license_key LIMIT $2', [after, KEYS_PER_BATCH]);
    if (rows.length === 0) return updated;
    const keys = rows.map((r) => r.license_key);
    after = keys.at(-1)!;
    const byKey = new Map<string, LedgerEvent[]>();
    for (const e of await eventsForKeys(client, keys)) byKey.set(e.licenseKey, [...(byKey.get(e.licenseKey) ?? []), e]);
    const changed = keys.flatMap((key) => {
      const row = projectLicense(byKey.get(key) ?? []);
      return row && (row.seats !== null || row.features.length) ? [{ key, seats: row.seats, features: JSON.stringify(row.features) }] : [];
    });
    if (changed.length === 0) continue;
    await client.query(
      'UPDATE licenses SET seats = t.seats, features = t.features FROM unnest($1::text[], $2::int[], $3::text[]) AS t(key, seats, features) WHERE licenses.license_key = t.key',
      [changed.map((c) => c.key), changed.map((c) => c.seats), changed.map((c) => c.features)],
    );
    updated += changed.length;
  }
}
