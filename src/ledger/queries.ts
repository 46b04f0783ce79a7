// Read queries over the projection: search, filtered lists, stats.
import type { Statement } from 'better-sqlite3';
import type { Ledger } from './ledger.js';
import type { LicenseRow } from './project.js';
import { rowToLicense, type SqlRow } from './row-mapping.js';

export interface ListFilter {
  product?: string;
  tier?: string;
  status?: 'active' | 'expired' | 'revoked';
  expiringWithinDays?: number;
  issuedSince?: string;
  limit?: number;
  offset?: number;
}

/**
 * Substring, case-insensitive, over key, email, name and every order id (gumroad_order_id, order_ref, Gumroad's
 * Order Number). 3+ characters go through the trigram index (migration 6), which also folds accents: "muller"
 * finds Müller and "Müller" finds muller. Shorter text is a plain LIKE (case-insensitive for ASCII only).
 *
 * Newest recorded first (the ledger's row order), so the first page comes straight off the index: a term
 * in every row costs what a term in one row does, instead of sorting every match by date before taking 200.
 */
export function searchLicenses(ledger: Ledger, text: string, limit = 1000, product: string | null = null): LicenseRow[] {
  const query = searchQuery(ledger, text, product);
  if (!query) return [];
  const few = query.phrase === undefined ? null : allMatchesIfFew(ledger, query.phrase, limit, product);
  return few ?? (query.statement.all({ ...query.params, limit }) as SqlRow[]).map(rowToLicense);
}

/**
 * FTS5 walks a rare phrase's matches faster forwards than backwards (one hit in 1M rows: 5.9 ms against
 * 11.7 ms), so look forwards first: when every match fits in the page, order those few rows here.
 * Null when there are more than `limit` (the backwards walk then takes the newest page).
 */
function allMatchesIfFew(ledger: Ledger, phrase: string, limit: number, product: string | null): LicenseRow[] | null {
  const ids = ledger.db.prepare('SELECT rowid FROM licenses_search WHERE licenses_search MATCH ? LIMIT ?').pluck().all(phrase, limit + 1) as number[];
  if (ids.length > limit) return null;
  const rows = ledger.db
    .prepare('SELECT * FROM licenses WHERE rowid IN (SELECT value FROM json_each(@ids)) AND (@product IS NULL OR product = @product) ORDER BY rowid DESC')
    .all({ ids: JSON.stringify(ids), product }) as SqlRow[];
  return rows.map(rowToLicense);
}

/** Every match, one row at a time (`search --json` / `--csv` on a big ledger keep memory flat). */
export function* streamSearch(ledger: Ledger, text: string, product: string | null = null): Generator<LicenseRow> {
  const query = searchQuery(ledger, text, product);
  if (!query) return;
  for (const row of query.statement.iterate({ ...query.params, limit: -1 }) as IterableIterator<SqlRow>) yield rowToLicense(row);
}

function searchQuery(ledger: Ledger, text: string, product: string | null): { statement: Statement; params: Record<string, unknown>; phrase?: string } | null {
  const needle = text.trim();
  if (needle === '') return null;
  if ([...needle].length >= 3) {
    const phrase = `"${needle.replace(/"/g, '""')}"`;
    const statement = ledger.db.prepare(
      `SELECT l.* FROM licenses_search s JOIN licenses l ON l.rowid = s.rowid
       WHERE licenses_search MATCH @phrase AND (@product IS NULL OR l.product = @product) ORDER BY s.rowid DESC LIMIT @limit`,
    );
    return { statement, params: { phrase, product }, phrase };
  }
  const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const statement = ledger.db.prepare(
    `SELECT * FROM licenses WHERE (license_key LIKE @like ESCAPE '\\' OR email LIKE @like ESCAPE '\\'
     OR name LIKE @like ESCAPE '\\' OR gumroad_order_id LIKE @like ESCAPE '\\' OR order_ref LIKE @like ESCAPE '\\')
     AND (@product IS NULL OR product = @product) ORDER BY rowid DESC LIMIT @limit`,
  );
  return { statement, params: { like, product } };
}

export function listLicenses(ledger: Ledger, filter: ListFilter, now: Date): LicenseRow[] {
  const where: string[] = [];
  const params: unknown[] = [];
  const nowIso = now.toISOString();
  if (filter.product) {
    where.push('product = ?');
    params.push(filter.product);
  }
  if (filter.tier) {
    where.push('tier = ?');
    params.push(filter.tier);
  }
  if (filter.status === 'revoked') where.push('revoked_at IS NOT NULL');
  if (filter.status === 'active') {
    where.push('revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)');
    params.push(nowIso);
  }
  if (filter.status === 'expired') {
    where.push('revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?');
    params.push(nowIso);
  }
  if (filter.expiringWithinDays !== undefined) {
    where.push('revoked_at IS NULL AND expires_at > ? AND expires_at <= ?');
    params.push(nowIso, new Date(now.getTime() + filter.expiringWithinDays * 86_400_000).toISOString());
  }
  if (filter.issuedSince) {
    where.push('issued_at >= ?');
    params.push(filter.issuedSince);
  }
  const sql = `SELECT * FROM licenses ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY issued_at DESC, license_key ${filter.limit !== undefined ? 'LIMIT ? OFFSET ?' : ''}`;
  if (filter.limit !== undefined) params.push(filter.limit, filter.offset ?? 0);
  return (ledger.db.prepare(sql).all(...params) as SqlRow[]).map(rowToLicense);
}

type StatusCounts = { active: number; expired: number; revoked: number };

export interface LedgerStats {
  total: number;
  byTier: Record<string, StatusCounts>;
  byProduct: Record<string, StatusCounts>;
  byStatus: StatusCounts;
  expiringIn30Days: number;
  expiringIn90Days: number;
}

/** Counts over every product, or one (`product`). */
export function ledgerStats(ledger: Ledger, now: Date, product?: string): LedgerStats {
  const nowIso = now.toISOString();
  const only = product === undefined ? '' : 'AND product = @product';
  const params = { now: nowIso, ...(product === undefined ? {} : { product }) };
  const rows = ledger.db
    .prepare(
      `SELECT product, tier,
        CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
             WHEN expires_at IS NOT NULL AND expires_at <= @now THEN 'expired' ELSE 'active' END AS status,
        count(*) AS n
       FROM licenses WHERE 1 ${only} GROUP BY 1, 2, 3`,
    )
    .all(params) as { product: string; tier: string; status: keyof StatusCounts; n: number }[];
  const zero = (): StatusCounts => ({ active: 0, expired: 0, revoked: 0 });
  const stats: LedgerStats = { total: 0, byTier: {}, byProduct: {}, byStatus: zero(), expiringIn30Days: 0, expiringIn90Days: 0 };
  for (const r of rows) {
    stats.total += r.n;
    stats.byStatus[r.status] += r.n;
    (stats.byTier[r.tier] ??= zero())[r.status] += r.n;
    (stats.byProduct[r.product] ??= zero())[r.status] += r.n;
  }
  const expiring = ledger.db.prepare(`SELECT count(*) AS n FROM licenses WHERE revoked_at IS NULL AND expires_at > @now AND expires_at <= @until ${only}`);
  const within = (days: number) => (expiring.get({ ...params, until: new Date(now.getTime() + days * 86_400_000).toISOString() }) as { n: number }).n;
  stats.expiringIn30Days = within(30);
  stats.expiringIn90Days = within(90);
  return stats;
}
