import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';
import { parseDate, parseDays, parsePositiveInt } from '../cli/parse-flags.js';
import { licensesTable, viewsToCsv } from '../cli/render.js';
import { toView } from '../ledger/license-view.js';
import type { LicenseRow } from '../ledger/project.js';
import { listLicenses, searchLicenses, type ListFilter } from '../ledger/queries.js';

const PAGE_SIZE = 50;

function print(app: AppContext, rows: LicenseRow[], csv: boolean | undefined, footer?: string): void {
  const now = app.clock();
  if (app.json) return app.out.json(rows.map((r) => toView(r, now)));
  if (csv) return app.out.data(viewsToCsv(rows.map((r) => toView(r, now))));
  if (rows.length === 0) return app.out.info('No licenses match.');
  app.out.data(licensesTable(rows, now));
  if (footer) app.out.info(footer);
}

export async function searchCommand(text: string, opts: { csv?: boolean }, app: AppContext): Promise<void> {
  const rows = searchLicenses(await app.ledger(), text, app.json || opts.csv ? Number.MAX_SAFE_INTEGER : 200);
  print(app, rows, opts.csv, rows.length === 200 ? 'Showing the newest 200; use --json or --csv for all.' : `${rows.length} found.`);
}

export interface ListFlags {
  tier?: string;
  active?: boolean;
  expired?: boolean;
  revoked?: boolean;
  expiringWithin?: string;
  issuedSince?: string;
  page?: string;
  all?: boolean;
  csv?: boolean;
}

export async function listCommand(opts: ListFlags, app: AppContext): Promise<void> {
  const filter: ListFilter = {
    ...(opts.tier ? { tier: opts.tier.toLowerCase() } : {}),
    ...(opts.active ? { status: 'active' as const } : opts.expired ? { status: 'expired' as const } : opts.revoked ? { status: 'revoked' as const } : {}),
    ...(opts.expiringWithin ? { expiringWithinDays: parseDays(opts.expiringWithin, '--expiring-within') } : {}),
    ...(opts.issuedSince ? { issuedSince: parseDate(opts.issuedSince, '--issued-since').toISOString() } : {}),
  };
  const paged = !(app.json || opts.csv || opts.all);
  const page = paged ? parsePositiveInt(opts.page ?? '1', '--page') : 1;
  const ledger = await app.ledger();
  const rows = listLicenses(ledger, paged ? { ...filter, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE } : filter, app.clock());
  const more = paged && rows.length > PAGE_SIZE;
  if (paged && page > 1 && rows.length === 0) throw new UserError(`page ${page} is past the end; use a smaller --page or --all`);
  print(app, more ? rows.slice(0, PAGE_SIZE) : rows, opts.csv, more ? `Page ${page}; more with --page ${page + 1} (or --all).` : undefined);
}
