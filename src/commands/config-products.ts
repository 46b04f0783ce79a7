// `config product add|list`: the products sold from this ledger (no hand-editing of config.json).
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { table } from '../cli/render.js';
import { parseDefaultYears, saveConfig } from '../config/config.js';
import { addProduct, productsOf, type ProductConfig } from '../config/products.js';
import { UsageError } from '../errors.js';
import { isBuiltinFormat } from '../license/load-format.js';
import { resolve as resolvePath } from 'node:path';

export interface ProductAddFlags {
  prefix?: string;
  tiers?: string;
  name?: string;
  years?: string;
  blobTag?: string;
  format?: string;
}

function productJson(p: ProductConfig) {
  return { id: p.id, name: p.name, prefix: p.prefix, tiers: p.tiers, defaultYears: p.defaultYears, blobTag: p.blobTag, format: p.format, signingKid: p.signingKid ?? null };
}

export async function productAddCommand(id: string, flags: ProductAddFlags, app: AppContext): Promise<void> {
  if (!flags.prefix) throw new UsageError('missing --prefix (the key prefix of this product, e.g. ST1)');
  if (!flags.tiers) throw new UsageError('missing --tiers (e.g. --tiers core,pro)');
  const next = addProduct(app.config(), {
    id: id.trim(), prefix: flags.prefix.trim(), tiers: flags.tiers.split(',').map((t) => t.trim()).filter(Boolean),
    ...(flags.name ? { name: flags.name.trim() } : {}),
    ...(flags.years !== undefined ? { defaultYears: parseDefaultYears(flags.years) } : {}),
    ...(flags.blobTag ? { blobTag: flags.blobTag.trim() } : {}),
    // A plugin path is typed at a shell: relative to where the user is, stored absolute.
    ...(flags.format ? { format: isBuiltinFormat(flags.format.trim()) ? flags.format.trim() : resolvePath(flags.format.trim()) } : {}),
  });
  saveConfig(app.paths.configFile, next);
  const added = productsOf(next).at(-1)!;
  if (app.json) return app.out.json({ product: productJson(added), products: productsOf(next).map((p) => p.id) });
  app.out.info(color.green(`Added product ${added.id} (keys ${added.prefix}-…, tiers ${added.tiers.join(', ')}).`));
  app.out.info(`Mint with "license-admin mint --product ${added.id} ..."; give it its own signing key with "license-admin keys rotate --product ${added.id}".`);
}

export async function productListCommand(app: AppContext): Promise<void> {
  const products = productsOf(app.config());
  if (app.json) return app.out.json({ products: products.map(productJson) });
  app.out.data(table(['Product', 'Name', 'Prefix', 'Tiers', 'Duration', 'Format', 'Signing key'], products.map((p) => [
    p.id, p.name, p.prefix, p.tiers.join(', '), p.defaultYears === 'lifetime' ? 'lifetime' : `${p.defaultYears} year(s)`, p.format, p.signingKid ?? '(the active key)',
  ])));
}
