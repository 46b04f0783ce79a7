// The project config (config.json): product id, key prefix, tiers, durations, blob tag and format.
// Secrets never live here: the signing key and SMTP password are in the keychain or env.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';

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

export function validateConfig(c: Config, where = 'config'): Config {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(c.product)) problems.push('product must be 1-64 letters, digits, dot, dash or underscore');
  if (!/^[A-Z0-9]{1,8}$/.test(c.prefix)) problems.push('prefix must be 1-8 upper-case letters or digits');
  if (!Array.isArray(c.tiers) || c.tiers.length === 0 || !c.tiers.every((t) => /^[a-z0-9]{1,16}$/.test(t))) {
    problems.push('tiers must be a non-empty list of lower-case words');
  }
  if (c.defaultYears !== 'lifetime' && !(Number.isInteger(c.defaultYears) && c.defaultYears > 0)) problems.push('defaultYears must be a whole number of years or "lifetime"');
  if (c.blobTag !== null && !/^[A-Za-z0-9]{1,16}$/.test(c.blobTag)) problems.push('blobTag must be letters and digits (e.g. DTLIC3) or null');
  if (!['keychain', 'file', 'plaintext-file'].includes(c.keyStorage)) problems.push('keyStorage must be keychain, file or plaintext-file');
  if (problems.length) throw new UserError(`${where}: ${problems.join('; ')}`);
  return c;
}

export function saveConfig(file: string, config: Config): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}
