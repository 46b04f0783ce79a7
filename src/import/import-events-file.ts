// Import of an `export --events` file: validated line by line (file:line in every error) and applied
// while streaming inside ONE transaction, so a bad line or a crash leaves the ledger as it was. Events
// keep their ids: importing the same file again, or syncing with a server that has them, adds nothing.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UserError } from '../errors.js';
import { headerProblem, type EventsHeader } from '../ledger/events-export.js';
import type { LedgerEvent } from '../ledger/events.js';
import type { Ledger } from '../ledger/ledger.js';
import type { OrderContest } from '../ledger/order-claims.js';
import { eventProblem, parseEventList } from '../sync/event-wire.js';

const CHUNK = 2_000;

export interface EventsImportReport {
  format: 'events';
  file: string;
  version: number;
  dryRun: boolean;
  events: number;
  inserted: number;
  duplicates: number;
  licenses: number;
  contested: OrderContest[];
}

export async function importEventsFile(file: string, ledger: Ledger, options: { dryRun: boolean; onProgress?: (events: number) => void }): Promise<EventsImportReport> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const report: EventsImportReport = { format: 'events', file, version: 0, dryRun: options.dryRun, events: 0, inserted: 0, duplicates: 0, licenses: 0, contested: [] };
  const keys = new Set<string>();
  const known = ledger.db.prepare('SELECT 1 FROM events WHERE id = ?').pluck();
  let pending: LedgerEvent[] = [];
  const flush = () => {
    if (options.dryRun) {
      const present = pending.filter((e) => known.get(e.id) !== undefined).length;
      report.duplicates += present;
      report.inserted += pending.length - present;
    } else {
      const applied = ledger.applyEventsInTransaction(pending);
      report.inserted += applied.inserted;
      report.duplicates += applied.duplicates;
      report.contested.push(...applied.contested);
    }
    pending = [];
    options.onProgress?.(report.events);
  };
  let n = 0;
  if (!options.dryRun) ledger.db.exec('BEGIN IMMEDIATE');
  try {
    for await (const raw of lines) {
      n++;
      const text = (n === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (text === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new UserError(`${file}:${n}: not valid JSON (${(error as Error).message}); nothing was imported`);
      }
      if (report.version === 0) {
        const problem = headerProblem(value);
        if (problem) throw new UserError(`${file}:${n}: ${problem}; nothing was imported`);
        report.version = (value as EventsHeader).version;
        continue;
      }
      const problem = eventProblem(value, 'the event');
      if (problem) throw new UserError(`${file}:${n}: ${problem}; nothing was imported`);
      const [event] = parseEventList([value], 1);
      pending.push(event!);
      keys.add(event!.licenseKey.toUpperCase());
      report.events++;
      if (pending.length >= CHUNK) flush();
    }
    if (report.version === 0) throw new UserError(`${file}: empty; an events export starts with a header line`);
    flush();
    if (!options.dryRun) ledger.db.exec('COMMIT');
  } catch (error) {
    if (ledger.db.inTransaction) ledger.db.exec('ROLLBACK');
    throw error;
  }
  report.licenses = keys.size;
  return report;
}
