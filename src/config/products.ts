// Several products in one config. The top-level fields of config.json are the first product (so a config
// written before there were several is a one-product list, unchanged); `products` holds the others. Code that
// works on one product gets that product's view of the config (configForProduct): the same Config shape
// with the product's id, prefix, tiers, duration, tag, format, product map and signing key in it.
import { UsageError, UserError } from '../errors.js';
import { FIELD_RULES, type Config, type ProductMapping } from './config.js';
import { onlineProblems, type OnlineConfig } from './online.js';

/** One product as `products[]` stores it; the first product is the config's top-level fields. */
export interface ProductConfig {
  id: string;
  name: string;
  prefix: string;
  tiers: string[];
  defaultYears: number | 'lifetime';
  blobTag: string | null;
  /** 'jws' or a path to a format plugin module. */
  format: string;
  productMap?: ProductMapping[];
  /** The key that signs this product's licenses; absent: the key store's active key. */
  signingKid?: string;
  /** This product's online validation and activations (src/config/online.ts); absent: off. */
  online?: OnlineConfig;
}

function firstProduct(c: Config): ProductConfig {
  return {
    id: c.product, name: c.productName, prefix: c.prefix, tiers: c.tiers, defaultYears: c.defaultYears, blobTag: c.blobTag, format: c.format,
    ...(c.productMap ? { productMap: c.productMap } : {}), ...(c.signingKid ? { signingKid: c.signingKid } : {}), ...(c.online ? { online: c.online } : {}),
  };
}

export function productsOf(config: Config): ProductConfig[] {
  return [firstProduct(config), ...(config.products ?? [])];
}

export function productIds(config: Config): string[] {
  return productsOf(config).map((p) => p.id);
}

/** --product as given, or the only product; several and none given is an error naming them. */
export function chooseProduct(config: Config, flag: string | undefined): string {
  const ids = productIds(config);
  if (flag === undefined) {
    if (ids.length === 1) return ids[0]!;
    throw new UsageError(`there are ${ids.length} products (${ids.join(', ')}); say which with --product`);
  }
  const id = ids.find((p) => p.toLowerCase() === flag.trim().toLowerCase());
  if (!id) throw new UsageError(`no product "${flag}"; the products are ${ids.join(', ')} ("license-admin config product add" adds one)`);
  return id;
}

/** The config as one product sees it: what mint, import, verify and the server use for that product. */
export function configForProduct(config: Config, id: string): Config {
  const p = productsOf(config).find((x) => x.id === id);
  if (!p) throw new UserError(`no product "${id}"; the products are ${productIds(config).join(', ')}`);
  if (p.id === config.product) return config;
  const { productMap: _map, signingKid: _kid, online: _online, ...shared } = config;
  return {
    ...shared, product: p.id, productName: p.name, prefix: p.prefix, tiers: p.tiers, defaultYears: p.defaultYears, blobTag: p.blobTag, format: p.format,
    ...(p.productMap ? { productMap: p.productMap } : {}), ...(p.signingKid ? { signingKid: p.signingKid } : {}), ...(p.online ? { online: p.online } : {}),
  };
}

/** Writes a product's view (after a tiers / product-map / key change) back into the whole config. */
export function updateProduct(config: Config, id: string, view: Config): Config {
  if (id === config.product) return { ...view, ...(config.products ? { products: config.products } : {}) };
  return { ...config, products: (config.products ?? []).map((p) => (p.id === id ? firstProduct(view) : p)) };
}

export interface NewProduct {
  id: string;
  prefix: string;
  tiers: string[];
  name?: string;
  defaultYears?: number | 'lifetime';
  blobTag?: string | null;
  format?: string;
}

export function addProduct(config: Config, input: NewProduct): Config {
  const product: ProductConfig = {
    id: input.id, name: input.name ?? input.id, prefix: input.prefix.toUpperCase(), tiers: input.tiers.map((t) => t.trim().toLowerCase()),
    defaultYears: input.defaultYears ?? config.defaultYears, blobTag: input.blobTag ?? null, format: input.format ?? 'jws',
  };
  const problems = productProblems(product);
  if (problems.length) throw new UsageError(problems.join('; '));
  const next = { ...config, products: [...(config.products ?? []), product] };
  const clash = clashes(productsOf(next));
  if (clash) throw new UserError(clash);
  return next;
}

function productProblems(p: ProductConfig): string[] {
  return [FIELD_RULES.product(p.id), FIELD_RULES.prefix(p.prefix), FIELD_RULES.tiers(p.tiers), FIELD_RULES.defaultYears(p.defaultYears), FIELD_RULES.blobTag(p.blobTag)]
    .filter((x): x is string => x !== null);
}

/** Two products with one id, key prefix or blob tag could not be told apart by a key or a blob. */
function clashes(products: ProductConfig[]): string | null {
  for (const [field, of] of [['id', (p: ProductConfig) => p.id.toLowerCase()], ['key prefix', (p: ProductConfig) => p.prefix], ['blob tag', (p: ProductConfig) => p.blobTag]] as const) {
    const seen = new Map<string, string>();
    for (const p of products) {
      const value = of(p);
      if (value === null) continue;
      const other = seen.get(value);
      if (other !== undefined) return `products ${other} and ${p.id} have the same ${field} "${value}"; each product needs its own`;
      seen.set(value, p.id);
    }
  }
  return null;
}

/** For loadConfig: every product in `products` follows the same rules as the first, and none clash. */
export function productsProblems(config: Config): string[] {
  const extra = config.products;
  if (extra === undefined) return [];
  if (!Array.isArray(extra)) return ['products must be a list'];
  const problems = extra.flatMap((p, i) => (typeof p !== 'object' || p === null ? [`products[${i}] is not an object`]
    : [...productProblems(p), ...onlineProblems(p.online, 'online')].map((m) => `products[${i}]: ${m}`)));
  const clash = problems.length ? null : clashes(productsOf(config));
  return clash ? [...problems, clash] : problems;
}
