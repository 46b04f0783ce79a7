import { readFileSync } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { DEFAULT_CONFIG, saveConfig, validateConfig, type Config, type KeyStorage } from '../config/config.js';
import { UserError } from '../errors.js';
import { KeyFormatError, parsePrivateKey, type SigningKey } from '../license/ed25519-key.js';
import { generateKey } from './keys.js';

export interface InitFlags {
  yes?: boolean;
  product?: string;
  productName?: string;
  prefix?: string;
  tiers?: string;
  defaultYears?: string;
  blobTag?: string;
  keyStorage?: KeyStorage;
  importKey?: string;
  supportEmail?: string;
  force?: boolean;
}

async function ask(app: AppContext, flags: InitFlags, value: string | undefined, message: string, fallback: string): Promise<string> {
  if (value !== undefined) return value;
  if (flags.yes || !app.prompts.interactive) return fallback;
  return app.prompts.input(message, { default: fallback });
}

export async function initCommand(flags: InitFlags, app: AppContext): Promise<void> {
  const existing = app.configOrNull();
  if (existing && !flags.force) throw new UserError(`already initialised (${app.paths.configFile}); use --force to rewrite the config (keys and ledger are kept)`);
  if (!flags.yes && !app.prompts.interactive && !flags.product) {
    throw new UserError('init needs a terminal to ask questions; pass --yes for the defaults (and flags such as --product, --prefix)', { exitCode: 2 });
  }
  const d = existing ?? DEFAULT_CONFIG;
  const product = await ask(app, flags, flags.product, 'Product id (goes into every license)', d.product);
  const productName = await ask(app, flags, flags.productName, 'Product name (shown in emails)', existing?.productName ?? product);
  const prefix = (await ask(app, flags, flags.prefix, 'License key prefix', d.prefix)).toUpperCase();
  const tiers = (await ask(app, flags, flags.tiers, 'Tiers (comma-separated)', d.tiers.join(','))).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const years = await ask(app, flags, flags.defaultYears, 'Default duration in years ("lifetime" for perpetual)', String(d.defaultYears));
  const blobTag = await ask(app, flags, flags.blobTag, 'Tag in front of blobs (e.g. DTLIC3; "none" for bare JWS)', d.blobTag ?? 'none');
  const config: Config = validateConfig({
    ...d,
    product,
    productName,
    prefix,
    tiers,
    defaultYears: years === 'lifetime' ? 'lifetime' : Number(years),
    blobTag: blobTag === 'none' || blobTag === '' ? null : blobTag,
    keyStorage: flags.keyStorage ?? d.keyStorage,
    ...(flags.supportEmail ? { supportEmail: flags.supportEmail } : {}),
  }, 'init');
  const store = await app.keys();
  // Creators with shipped apps must keep their existing key (its public half is inside the app).
  const importKey = flags.importKey ?? (!flags.yes && app.prompts.interactive && !store.activeRecord() && !app.env.LICENSE_ADMIN_PRIVATE_KEY
    ? (await app.prompts.input('Path of your existing private key (seed or PEM) to import; empty to generate a new key', { default: '' })).trim() || undefined
    : undefined);
  // Read the key before writing anything, so a wrong path leaves no half-done init behind.
  const imported = importKey ? readKeyFile(importKey) : undefined;
  saveConfig(app.paths.configFile, config);
  app.out.info(`Wrote ${app.paths.configFile}`);

  let kid = store.activeRecord()?.kid;
  if (imported) {
    await store.add(imported, config.keyStorage, true);
    kid = imported.kid;
    app.out.info(`Imported signing key ${kid}; check its public key with "license-admin keys show".`);
  } else if (!kid && !app.env.LICENSE_ADMIN_PRIVATE_KEY) {
    kid = (await generateKey(app, config.keyStorage)).kid;
    app.out.info(`Generated signing key ${kid} (${config.keyStorage === 'keychain' ? 'in the OS keychain' : config.keyStorage}).`);
  }
  const ledger = await app.ledger({ create: true });
  if (app.json) return app.out.json({ config, configFile: app.paths.configFile, ledger: ledger.path, kid: kid ?? null });
  app.out.info(`Ledger ready at ${ledger.path}`);
  app.out.info(color.green('Done.') + ' Next: license-admin mint --tier pro --email buyer@example.com   (and "license-admin keys backup" for escrow)');
}

function readKeyFile(path: string): SigningKey {
  try {
    return parsePrivateKey(readFileSync(path === '-' ? 0 : path, 'utf8'));
  } catch (error) {
    if (error instanceof KeyFormatError) throw new UserError(`${path}: ${error.message}`);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${path}: no such file`);
    throw error;
  }
}
