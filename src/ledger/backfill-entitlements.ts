// Migration 8's data step: seats and features of every existing license, from its events (and, for
// licenses whose events predate these fields, its blob's claims): the same rule as the projection,
// so a later re-projection of any license gives the same values.
import type Database from 'better-sqlite3';
import type { LedgerEvent } from './events.js';
import { projectLicense } from './project.js';
import { rowToEvent, type SqlRow } from './row-mapping.js';

const KEYS_PER_BATCH = 2_000;

export function backfillEntitlements(db: Database.Database): number {
  const nextKeys = db.prepare('SELECT license_key FROM licenses WHERE license_key > ? ORDER BY license_key LIMIT ?').pluck();
  const eventsOf = db.prepare(
    `SELECT * FROM events WHERE license_key IN (SELECT value FROM json_each(?))
     AND type IN ('minted', 'imported', 'renewed', 'reissued', 'forgotten') ORDER BY license_key, at, id`,
  );
  const update = db.prepare('UPDATE licenses SET seats = ?, features = ? WHERE license_key = ?');
  let after = '';
  let updated = 0;
  for (;;) {
    const keys = nextKeys.all(after, KEYS_PER_BATCH) as string[];
    if (keys.length === 0) return updated;
    after = keys.at(-1)!;
    const byKey = new Map<string, LedgerEvent[]>();
    for (const raw of eventsOf.all(JSON.stringify(keys)) as SqlRow[]) {
      const e = rowToEvent(raw);
      const id = e.licenseKey.toLowerCase();
      byKey.set(id, [...(byKey.get(id) ?? []), e]);
    }
    for (const key of keys) {
      const row = projectLicense(byKey.get(key.toLowerCase()) ?? []);
      if (!row || (row.seats === null && row.features.length === 0)) continue;
      update.run(row.seats, JSON.stringify(row.features), key);
      updated++;
    }
  }
}
