// Rendering licenses for people (tables) and for spreadsheets (CSV).
import { createRequire } from 'node:module';
import { outColor } from './colors.js';
import { csvLine } from './csv-line.js';
import { safeCell, safeText } from './terminal-text.js';
import { describeStatus, licenseStatus, type LicenseView } from '../ledger/license-view.js';
import type { LicenseRow } from '../ledger/project.js';

type TableCtor = new (options: { head: string[]; style?: object; wordWrap?: boolean }) => { push(row: string[]): void; toString(): string };

export function table(head: string[], rows: string[][]): string {
  const Table = createRequire(import.meta.url)('cli-table3') as TableCtor;
  const t = new Table({ head: head.map((h) => outColor.bold(h)), style: { head: [], border: [] } });
  for (const r of rows) t.push(r.map((cell) => safeCell(cell)));
  return t.toString();
}

export function licensesTable(rows: LicenseRow[], now: Date): string {
  return table(
    ['Key', 'Email', 'Name', 'Tier', 'Issued', 'Status'],
    rows.map((r) => [r.licenseKey, r.email, r.name, r.tier, r.issuedAt.slice(0, 10), statusText(r, now)]),
  );
}

export function statusText(row: LicenseRow, now: Date): string {
  const text = describeStatus(row, now);
  const status = licenseStatus(row, now);
  return status === 'active' ? outColor.green(text) : status === 'revoked' ? outColor.red(text) : outColor.yellow(text);
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. Exact (export). */
export function toCsv(header: readonly string[], rows: unknown[][]): string {
  return [...(header.length ? [[...header]] : []), ...rows].map(csvLine).join('\r\n') + '\r\n';
}


export const VIEW_CSV_COLUMNS: (keyof LicenseView)[] = [
  'licenseKey', 'product', 'name', 'email', 'tier', 'status', 'issuedAt', 'expiresAt', 'updatesUntil', 'seats', 'features', 'revokedAt', 'revokeReason',
  'gumroadOrderId', 'orderRef', 'notes', 'source', 'kid', 'format', 'verified', 'blob',
];

/**
 * list/search --csv: read with cat as often as in a sheet, so control characters in a cell are shown escaped
 * (\u{1b}), as on the terminal; still valid CSV. `export` is the exact, lossless form.
 */
export function viewsToCsv(views: LicenseView[]): string {
  return toCsv(VIEW_CSV_COLUMNS, views.map(viewCsvCells));
}

/** One license's CSV cells, in VIEW_CSV_COLUMNS order, made safe to cat. */
export function viewCsvCells(v: LicenseView): unknown[] {
  const shown = (x: unknown) => (x === null || x === undefined ? x : safeText(String(x)));
  return VIEW_CSV_COLUMNS.map((c) => shown(c === 'features' ? v.features.join(',') : v[c]));
}
