// `config tiers list|add|remove` and `config product-map list|set|remove`: no hand-editing of config.json.
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { table } from '../cli/render.js';
import { addTier, mappingFromFlags, mappingKeyFromFlags, removeMapping, removeTier, setMapping } from '../config/catalog-edits.js';
import { saveConfig, type Config } from '../config/config.js';
import { chooseProduct, updateProduct } from '../config/products.js';

/** The product a `config tiers` / `product-map` command edits (--product, or the only one) and its view. */
function target(app: AppContext, flag: string | undefined): { id: string; view: Config } {
  const id = chooseProduct(app.config(), flag);
  return { id, view: app.productConfig(id) };
}

function save(app: AppContext, id: string, view: Config): void {
  saveConfig(app.paths.configFile, updateProduct(app.config(), id, view));
}

export async function tiersListCommand(opts: ProductFlag, app: AppContext): Promise<void> {
  const { tiers } = target(app, opts.product).view;
  if (app.json) return app.out.json({ tiers });
  app.out.data(tiers.join('\n'));
}

export async function tiersAddCommand(tier: string, opts: ProductFlag, app: AppContext): Promise<void> {
  const { id, view } = target(app, opts.product);
  const next = addTier(view, tier);
  save(app, id, next);
  if (app.json) return app.out.json({ tiers: next.tiers });
  app.out.info(color.green(`Added tier ${next.tiers[next.tiers.length - 1]}; the tiers are ${next.tiers.join(', ')}.`));
}

export async function tiersRemoveCommand(tier: string, opts: ProductFlag, app: AppContext): Promise<void> {
  const { id, view } = target(app, opts.product);
  const ledger = await app.ledger();
  const used = Number((ledger.db.prepare('SELECT count(*) AS n FROM licenses WHERE tier = ? AND product = ?').get(tier.trim().toLowerCase(), id) as { n: number }).n);
  const next = removeTier(view, tier, used);
  save(app, id, next);
  if (app.json) return app.out.json({ tiers: next.tiers });
  app.out.info(color.green(`Removed tier ${tier.trim().toLowerCase()}; the tiers are ${next.tiers.join(', ')}.`));
}

export async function productMapListCommand(opts: ProductFlag, app: AppContext): Promise<void> {
  const map = target(app, opts.product).view.productMap ?? [];
  if (app.json) return app.out.json({ productMap: map });
  if (map.length === 0) return app.out.info('No product-map entries: sales get LICENSE_ADMIN_DEFAULT_TIER, or fail as unmapped. Add one with "license-admin config product-map set".');
  app.out.data(table(['#', 'Provider', 'Match', 'Variant', 'Tier', 'Years'], map.map((m, i) => [String(i + 1), m.provider, m.match, m.variant ?? '', m.tier, m.years === undefined ? '(default)' : String(m.years)])));
  app.out.info('The first entry that matches a sale decides its tier.');
}

export interface ProductFlag {
  product?: string;
}

export interface MappingFlags extends ProductFlag {
  provider?: string;
  match?: string;
  variant?: string;
  tier?: string;
  years?: string;
}

export async function productMapSetCommand(flags: MappingFlags, app: AppContext): Promise<void> {
  const entry = mappingFromFlags(flags);
  const { id, view } = target(app, flags.product);
  const { config, replaced } = setMapping(view, entry);
  save(app, id, config);
  if (app.json) return app.out.json({ productMap: config.productMap, replaced });
  app.out.info(color.green(`${replaced ? 'Replaced' : 'Added'} the entry: ${entry.provider} "${entry.match}"${entry.variant ? ` variant "${entry.variant}"` : ''} sells ${entry.tier}${entry.years !== undefined ? ` for ${entry.years === 'lifetime' ? 'a lifetime' : `${entry.years} year(s)`}` : ''}.`));
  app.out.info('A running server picks this up on SIGHUP ("kill -HUP <pid>") or a restart.');
}

export async function productMapRemoveCommand(flags: MappingFlags, app: AppContext): Promise<void> {
  const key = mappingKeyFromFlags(flags);
  const { provider, match, variant } = key;
  const { id, view } = target(app, flags.product);
  const next = removeMapping(view, key);
  save(app, id, next);
  if (app.json) return app.out.json({ productMap: next.productMap ?? [] });
  app.out.info(color.green(`Removed the entry for ${provider} "${match}"${variant ? ` variant "${variant}"` : ''}.`));
}
