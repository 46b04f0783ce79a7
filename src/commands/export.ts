import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { toCsv } from '../cli/render.js';
import { LICENSE_COLUMNS, rowToLicense, type SqlRow } from '../ledger/row-mapping.js';
import { exportRecord, EXPORT_FIELDS } from '../ledger/export-record.js';
import { eventsHeader } from '../ledger/events-export.js';
import { eventJsonFromRow } from '../sync/event-wire.js';
import { UserError } from '../errors.js';
import { chooseProduct } from '../config/products.js';

/**
 * Streams every license as JSONL (the legacy log's fields plus ours) or CSV; "import" reads both back.
 * With --events: the whole event log (the backup format: history included, ids kept).
 */
export async function exportCommand(opts: { format: 'jsonl' | 'csv'; output?: string; events?: boolean; product?: string }, app: AppContext): Promise<void> {
  const product = opts.product === undefined ? null : chooseProduct(app.config(), opts.product);
  if (opts.events && opts.format === 'csv') throw new UserError('--events writes JSONL; leave out --format csv', { exitCode: 2 });
  const ledger = await app.ledger();
  // Opened up front so a bad path is a clear error before anything is read.
  const sink: WriteStream | NodeJS.WriteStream = opts.output ? createWriteStream('', { fd: openSync(opts.output, 'w', 0o600) }) : process.stdout;
  const write = (text: string) => (sink.write(text) ? Promise.resolve() : new Promise<void>((r) => sink.once('drain', () => r())));
  if (opts.events) {
    // One read transaction: the header's counts and the lines agree even while a server writes.
    ledger.db.exec('BEGIN');
    let written = 0;
    const ofProduct = product === null ? '' : 'WHERE license_key IN (SELECT license_key FROM licenses WHERE product = @product)';
    const params = product === null ? {} : { product };
    const counts = ledger.db
      .prepare(`SELECT (SELECT count(*) FROM events ${ofProduct}) AS events, (SELECT count(*) FROM licenses ${product === null ? '' : 'WHERE product = @product'}) AS licenses`)
      .get(params) as { events: number; licenses: number };
    try {
      await write(`${JSON.stringify(eventsHeader({ exportedAt: app.clock().toISOString(), product: product ?? app.configOrNull()?.product ?? null, ...counts }))}\n`);
      const rows = ledger.db.prepare(`SELECT id, license_key, type, at, actor, source, data FROM events ${ofProduct} ORDER BY seq`);
      for (const row of rows.iterate(params) as IterableIterator<Parameters<typeof eventJsonFromRow>[0]>) {
        await write(`${eventJsonFromRow(row)}\n`);
        written++;
      }
    } finally {
      ledger.db.exec('COMMIT');
    }
    if (opts.output) await new Promise<void>((resolve, reject) => (sink as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (opts.output || !app.json) app.out.info(`Exported ${written} event(s) of ${counts.licenses} license(s)${opts.output ? ` to ${opts.output}` : ''}.`);
    return;
  }
  if (opts.format === 'csv') await write(toCsv(EXPORT_FIELDS, []));
  let count = 0;
  const stmt = ledger.db.prepare(`SELECT ${LICENSE_COLUMNS.join(', ')} FROM licenses ${product === null ? '' : 'WHERE product = @product'} ORDER BY issued_at, license_key`);
  for (const raw of stmt.iterate(product === null ? {} : { product }) as IterableIterator<SqlRow>) {
    const record = exportRecord(rowToLicense(raw));
    await write(opts.format === 'jsonl' ? `${JSON.stringify(record)}\n` : toCsv([], [EXPORT_FIELDS.map((f) => (Array.isArray(record[f]) ? (record[f] as string[]).join(',') : record[f]))]));
    count++;
  }
  if (opts.output) await new Promise<void>((resolve, reject) => (sink as WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
  if (opts.output || !app.json) app.out.info(`Exported ${count} license(s)${opts.output ? ` to ${opts.output}` : ''}.`);
}
