// The project config (config.json): product id, key prefix, tiers, durations, blob tag and format (and
// more products in `products`, see products.ts).
// Secrets never live here: the signing key and SMTP password are in the keychain or env.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { onlineProblems, type OnlineConfig } from './online.js';
import { productIds, productsProblems, type ProductConfig } from './products.js';
import { portalProblems, type PortalConfig } from '../portal/portal-settings.js';
import { signerConfigProblems, type SignerConfig } from '../signers/signer-config.js';

export type KeyStorage = 'keychain' | 'file' | 'plaintext-file';

export interface SmtpConfig {
  host: string;
  port: number;
  secure: 'tls' | 'starttls' | 'none';
  user?: string;
  from: string;
  replyTo?: string;
  dkim?: { domainName: string; keySelector: string; privateKeyFile: string };
}

export interface ProductMapping {
  provider: 'gumroad' | 'stripe' | 'lemonsqueezy' | 'any';
  /** Provider product / variant / price id (or Gumroad product permalink / name); '*' matches all. */
  match: string;
  variant?: string;
  tier: string;
  years?: number | 'lifetime';
}

export interface Config {
  product: string;
  productName: string;
  prefix: string;
  tiers: string[];
  defaultYears: number | 'lifetime';
  blobTag: string | null;
  /** 'jws' or a path to a format plugin module. */
  format: string;
  keyStorage: KeyStorage;
  supportEmail?: string;
  smtp?: SmtpConfig;
  templatesDir?: string;
  productMap?: ProductMapping[];
  gracePeriodDays?: number;
  remote?: { url: string; mode?: 'remote-first' | 'local' };
  /** The key that signs the first product's licenses; absent: the key store's active key. */
  signingKid?: string;
  /** Products after the first (the first is the fields above): see products.ts. */
  products?: ProductConfig[];
  /** The first product's online validation and activations (src/config/online.ts); absent: off. */
  online?: OnlineConfig;
  /** The buyer's self-service portal (docs/PORTAL.md). */
  portal?: PortalConfig;
  /** Which backend signs when LICENSE_ADMIN_SIGNER is not set (ADMIN.md, "Signing with an HSM or a KMS"). */
  signer?: SignerConfig;
}

export const DEFAULT_CONFIG: Config = {
  product: 'my-app',
  productName: 'My App',
  prefix: 'DT1',
  tiers: ['lite', 'core', 'pro', 'enterprise'],
  defaultYears: 1,
  blobTag: null,
  format: 'jws',
  keyStorage: 'keychain',
};

export function loadConfig(file: string): Config | null {
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}. Fix it or run "license-admin init" again.`);
  }
  return validateConfig({ ...DEFAULT_CONFIG, ...(raw as object) }, file);
}

/** One rule per field, shared by validateConfig and init's prompts (which re-ask on a bad answer). */
export const FIELD_RULES = {
  product: (v: string) => (/^[A-Za-z0-9._-]{1,64}$/.test(v) ? null : 'product must be 1-64 letters, digits, dot, dash or underscore'),
  prefix: (v: string) => (/^[A-Z0-9]{1,8}$/.test(v) ? null : 'prefix must be 1-8 upper-case letters or digits'),
  tiers: (v: readonly string[]) =>
    Array.isArray(v) && v.length > 0 && v.every((t) => /^[a-z0-9]{1,16}$/.test(t)) ? null : 'tiers must be a non-empty list of lower-case words (letters and digits, up to 16)',
  defaultYears: (v: number | 'lifetime') =>
    v === 'lifetime' || (Number.isInteger(v) && v > 0 && v <= 100) ? null : 'defaultYears must be a whole number of years from 1 to 100, or "lifetime"',
  blobTag: (v: string | null) => (v === null || /^[A-Za-z0-9]{1,16}$/.test(v) ? null : 'blobTag must be letters and digits (e.g. DTLIC3) or null'),
  keyStorage: (v: string) => (KEY_STORAGES.includes(v as KeyStorage) ? null : 'keyStorage must be keychain, file or plaintext-file'),
} as const;

export const KEY_STORAGES: readonly KeyStorage[] = ['keychain', 'file', 'plaintext-file'];

/** "3" -> 3, "lifetime" -> 'lifetime'; anything else -> NaN (which FIELD_RULES.defaultYears refuses). */
export function parseDefaultYears(text: string): number | 'lifetime' {
  const t = text.trim().toLowerCase();
  return t === 'lifetime' ? 'lifetime' : /^\d+$/.test(t) ? Number(t) : Number.NaN;
}

export function validateConfig(c: Config, where = 'config'): Config {
  const problems = [
    FIELD_RULES.product(c.product),
    FIELD_RULES.prefix(c.prefix),
    FIELD_RULES.tiers(c.tiers),
    FIELD_RULES.defaultYears(c.defaultYears),
    FIELD_RULES.blobTag(c.blobTag),
    FIELD_RULES.keyStorage(c.keyStorage),
  ].filter((p): p is string => p !== null);
  problems.push(...onlineProblems(c.online, 'online'));
  problems.push(...signerConfigProblems(c.signer));
  if (problems.length === 0) problems.push(...productsProblems(c));
  if (problems.length === 0) problems.push(...portalProblems(c, productIds(c)));
  if (problems.length) throw new UserError(`${where}: ${problems.join('; ')}`);
  return c;
}

export function saveConfig(file: string, config: Config): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}
