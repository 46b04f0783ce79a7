import type { AppContext } from '../cli/app-context.js';
import { table } from '../cli/render.js';
import { ledgerStats } from '../ledger/queries.js';

export async function statsCommand(app: AppContext): Promise<void> {
  const stats = ledgerStats(await app.ledger(), app.clock());
  if (app.json) return app.out.json(stats);
  const rows = Object.entries(stats.byTier).map(([tier, s]) => [tier, String(s.active), String(s.expired), String(s.revoked), String(s.active + s.expired + s.revoked)]);
  rows.push(['all', String(stats.byStatus.active), String(stats.byStatus.expired), String(stats.byStatus.revoked), String(stats.total)]);
  app.out.data(table(['Tier', 'Active', 'Expired', 'Revoked', 'Total'], rows));
  app.out.data(`Expiring in the next 30 days: ${stats.expiringIn30Days}\nExpiring in the next 90 days: ${stats.expiringIn90Days}`);
}
