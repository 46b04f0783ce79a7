import type { AppContext } from '../cli/app-context.js';
import { table } from '../cli/render.js';
import { chooseProduct, productIds } from '../config/products.js';
import { ledgerStats } from '../ledger/queries.js';

export async function statsCommand(opts: { product?: string }, app: AppContext): Promise<void> {
  const product = opts.product === undefined ? undefined : chooseProduct(app.config(), opts.product);
  const stats = ledgerStats(await app.ledger(), app.clock(), product);
  if (app.json) return app.out.json(stats);
  const row = (label: string, s: { active: number; expired: number; revoked: number }) => [label, String(s.active), String(s.expired), String(s.revoked), String(s.active + s.expired + s.revoked)];
  const rows = Object.entries(stats.byTier).map(([tier, s]) => row(tier, s));
  rows.push(row('all', stats.byStatus));
  app.out.data(table(['Tier', 'Active', 'Expired', 'Revoked', 'Total'], rows));
  // By product once there is more than one (in the config or in the ledger).
  if (!product && (productIds(app.config()).length > 1 || Object.keys(stats.byProduct).length > 1)) {
    app.out.data(table(['Product', 'Active', 'Expired', 'Revoked', 'Total'], Object.entries(stats.byProduct).map(([p, s]) => row(p, s))));
  }
  app.out.data(`Expiring in the next 30 days: ${stats.expiringIn30Days}\nExpiring in the next 90 days: ${stats.expiringIn90Days}`);
}
