import { chooseProduct, productsOf } from '../config/products.js';
import type { AppContext } from '../cli/app-context.js';
import { UsageError, UserError } from '../errors.js';
import { parseDate, parseDays, parsePositiveInt } from '../cli/parse-flags.js';
import { licensesTable, VIEW_CSV_COLUMNS, viewCsvCells, viewsToCsv } from '../cli/render.js';
import { cutCell, fitWidths, terminalColumns } from '../cli/table-fit.js';
import { safeText } from '../cli/terminal-text.js';
import { describeStatus, toView } from '../ledger/license-view.js';
import type { LicenseRow } from '../ledger/project.js';
import { listLicenses, searchLicenses, streamSearch, type ListFilter } from '../ledger/queries.js';

const PAGE_SIZE = 50;

function print(app: AppContext, rows: LicenseRow[], csv: boolean | undefined, footer?: string): void {
  const now = app.clock();
  if (app.json) return app.out.json(rows.map((r) => toView(r, now)));
  if (csv) return app.out.data(viewsToCsv(rows.map((r) => toView(r, now))));
  if (rows.length === 0) return app.out.info('No licenses match.');
  app.out.data(licensesTable(fitToTerminal(rows.map(shownAsText), now), now));
  if (footer) app.out.info(footer);
}

/** The row's text fields as a terminal shows them (control characters escaped), before widths are measured. */
function shownAsText(r: LicenseRow): LicenseRow {
  return { ...r, licenseKey: safeText(r.licenseKey), email: safeText(r.email), name: safeText(r.name), tier: safeText(r.tier), revokeReason: r.revokeReason === null ? null : safeText(r.revokeReason) };
}

/**
 * The rows with long emails, names and revoke reasons cut so licensesTable's columns fit the terminal
 * (keys, tiers, dates and the rest of a status stay whole). Unchanged when stdout is not a terminal.
 */
function fitToTerminal(rows: LicenseRow[], now: Date): LicenseRow[] {
  const head = ['Key', 'Email', 'Name', 'Tier', 'Issued', 'Status'];
  const withoutReason = (r: LicenseRow) => describeStatus({ ...r, revokeReason: null }, now);
  const cells = rows.map((r) => [r.licenseKey, r.email, r.name, r.tier, r.issuedAt.slice(0, 10), describeStatus(r, now)]);
  const statusFloor = Math.max(...rows.map((r) => withoutReason(r).length + (r.revokeReason ? ' (x…)'.length : 0)));
  const widths = fitWidths(head, cells, terminalColumns(), { keep: [0, 3, 4], floors: { 5: statusFloor } });
  if (!widths) return rows;
  const [email, name, status] = [widths[1]!, widths[2]!, widths[5]!];
  return rows.map((r) => ({
    ...r,
    email: cutCell(r.email, email),
    name: cutCell(r.name, name),
    // "revoked 2026-12-02 (reason)": only the reason is cut, so the bracket still closes.
    revokeReason: r.revokeReason === null ? null : cutCell(r.revokeReason, status - withoutReason(r).length - ' ()'.length),
  }));
}

const SEARCH_PAGE = 200;

export async function searchCommand(text: string, opts: { csv?: boolean; product?: string }, app: AppContext): Promise<void> {
  const product = opts.product === undefined ? undefined : chooseProduct(app.config(), opts.product);
  const ledger = await app.ledger();
  const now = app.clock();
  // Scripts get every match, streamed: a term in 125,000 rows never sits in memory at once.
  if (app.json) return app.out.jsonArray(mapRows(streamSearch(ledger, text, product ?? null), (r) => toView(r, now)));
  if (opts.csv) return app.out.csvRows(VIEW_CSV_COLUMNS, mapRows(streamSearch(ledger, text, product ?? null), (r) => viewCsvCells(toView(r, now))));
  // People get the newest page; one row more says whether there are more, without counting them all.
  const rows = searchLicenses(ledger, text, SEARCH_PAGE + 1, product ?? null);
  const more = rows.length > SEARCH_PAGE;
  print(app, more ? rows.slice(0, SEARCH_PAGE) : rows, false,
    more ? `${SEARCH_PAGE}+ found; showing the ${SEARCH_PAGE} most recently recorded. Narrow the search, or use --json or --csv for all.` : `${rows.length} found.`);
}

function* mapRows<T, U>(rows: Iterable<T>, f: (row: T) => U): Generator<U> {
  for (const row of rows) yield f(row);
}

export interface ListFlags {
  product?: string;
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

/**
 * People get pages of 50 (--page N); --json, --csv and --all get everything, unless --page is given
 * explicitly with --json/--csv, which then pages the same way: a script walks a big ledger until a page
 * holds fewer than 50 (a page past the end is an empty array for scripts, an error for people).
 */
export async function listCommand(opts: ListFlags, app: AppContext): Promise<void> {
  const tier = opts.tier?.toLowerCase();
  const product = opts.product === undefined ? undefined : chooseProduct(app.config(), opts.product);
  const ledger = await app.ledger();
  if (tier !== undefined) {
    const tiers = product ? app.productConfig(product).tiers : [...new Set(productsOf(app.config()).flatMap((p) => p.tiers))];
    // A tier no longer configured (removed, or pulled from a server with other tiers) still lists what the ledger holds.
    const held = !tiers.includes(tier) && ledger.db.prepare('SELECT 1 FROM licenses WHERE tier = ? LIMIT 1').get(tier) !== undefined;
    if (!tiers.includes(tier) && !held) throw new UsageError(`tier "${opts.tier}" is not configured; the tiers are ${tiers.join(', ')}`);
    if (held) app.out.warn(`tier "${tier}" is not configured (the tiers are ${tiers.join(', ')}), but the ledger has licenses of it`);
  }
  const filter: ListFilter = {
    ...(product ? { product } : {}),
    ...(tier ? { tier } : {}),
    ...(opts.active ? { status: 'active' as const } : opts.expired ? { status: 'expired' as const } : opts.revoked ? { status: 'revoked' as const } : {}),
    ...(opts.expiringWithin ? { expiringWithinDays: parseDays(opts.expiringWithin, '--expiring-within') } : {}),
    ...(opts.issuedSince ? { issuedSince: parseDate(opts.issuedSince, '--issued-since').toISOString() } : {}),
  };
  if (opts.page !== undefined && opts.all) throw new UsageError('give --page or --all, not both');
  const page = opts.page !== undefined ? parsePositiveInt(opts.page, '--page') : 1;
  const paged = opts.page !== undefined || !(app.json || opts.csv || opts.all);
  const rows = listLicenses(ledger, paged ? { ...filter, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE } : filter, app.clock());
  const more = paged && rows.length > PAGE_SIZE;
  if (paged && page > 1 && rows.length === 0 && !(app.json || opts.csv)) throw new UserError(`page ${page} is past the end; use a smaller --page or --all`);
  print(app, more ? rows.slice(0, PAGE_SIZE) : rows, opts.csv, more ? `Page ${page}; more with --page ${page + 1} (or --all).` : undefined);
}
