import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { toCsv } from '../cli/render.js';
import { LICENSE_COLUMNS, rowToLicense, type SqlRow } from '../ledger/row-mapping.js';
import { exportRecord, EXPORT_FIELDS } from '../ledger/export-record.js';

/** Streams every license as JSONL (the legacy log's fields plus ours) or CSV; "import" reads both back. */
export async function exportCommand(opts: { format: 'jsonl' | 'csv'; output?: string }, app: AppContext): Promise<void> {
  const ledger = await app.ledger();
  // Opened up front so a bad path is a clear error before anything is read.
  const sink: WriteStream | NodeJS.WriteStream = opts.output ? createWriteStream('', { fd: openSync(opts.output, 'w', 0o600) }) : process.stdout;
  const write = (text: string) => (sink.write(text) ? Promise.resolve() : new Promise<void>((r) => sink.once('drain', () => r())));
  if (opts.format === 'csv') await write(toCsv(EXPORT_FIELDS, []));
  let count = 0;
  const stmt = ledger.db.prepare(`SELECT ${LICENSE_COLUMNS.join(', ')} FROM licenses ORDER BY issued_at, license_key`);
  for (const raw of stmt.iterate() as IterableIterator<SqlRow>) {
    const record = exportRecord(rowToLicense(raw));
    await write(opts.format === 'jsonl' ? `${JSON.stringify(record)}\n` : toCsv([], [EXPORT_FIELDS.map((f) => (Array.isArray(record[f]) ? (record[f] as string[]).join(',') : record[f]))]));
    count++;
  }
  if (opts.output) await new Promise<void>((resolve, reject) => (sink as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
  if (opts.output || !app.json) app.out.info(`Exported ${count} license(s)${opts.output ? ` to ${opts.output}` : ''}.`);
}
