import { existsSync, readFileSync } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { color } from '../cli/colors.js';
import { readFileOrStdin } from '../cli/read-stdin.js';
import { DEFAULT_CONFIG, FIELD_RULES, KEY_STORAGES, parseDefaultYears, saveConfig, validateConfig, type Config, type KeyStorage } from '../config/config.js';
import { UserError } from '../errors.js';
import { KeyFormatError, parsePrivateKey, type SigningKey } from '../license/ed25519-key.js';
import { PRIVATE_KEY_ENV } from '../keys/key-store.js';
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

const asTiers = (v: string) => v.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
const asBlobTag = (v: string) => (v === 'none' || v === '' ? null : v);
const check = (problem: string | null): true | string => problem ?? true;

/**
 * init in an order that cannot leave a half-done home behind: decide where the key goes and check that
 * it can go there, ask the rest (re-asking on a bad answer), read any key to import, and only then
 * write — the key first, then the ledger, then config.json. A config without a key (an init that
 * failed before this order existed) is resumed, not refused.
 */
export async function initCommand(flags: InitFlags, app: AppContext): Promise<void> {
  const existing = app.configOrNull();
  const store = await app.keys();
  const hasKey = Boolean(store.activeRecord() || app.env[PRIVATE_KEY_ENV]);
  const hasLedger = existsSync(app.paths.ledgerFile);
  if (existing && hasKey && hasLedger && !flags.force) throw new UserError(`already initialised (${app.paths.configFile}); use --force to rewrite the config (keys and ledger are kept)`);
  const interactive = !flags.yes && app.prompts.interactive;
  if (!flags.yes && !app.prompts.interactive && !flags.product) {
    throw new UserError('init needs a terminal to ask questions; pass --yes for the defaults (and flags such as --product, --prefix)', { exitCode: 2 });
  }
  if (existing && !hasKey) app.out.info(`Resuming: ${app.paths.configFile} exists but there is no signing key yet.`);
  else if (existing && !hasLedger && !flags.force) app.out.info(`Resuming: ${app.paths.configFile} exists but there is no ledger at ${app.paths.ledgerFile} yet.`);
  const d = existing ?? DEFAULT_CONFIG;

  const keyStorage = flags.keyStorage ?? (interactive && !hasKey
    ? await app.prompts.select('Where should the private signing key live?', [...KEY_STORAGES], d.keyStorage)
    : d.keyStorage);
  if (!hasKey) await store.checkStorage(keyStorage); // before any question is answered in vain

  const ask = async (value: string | undefined, message: string, fallback: string, validate: (v: string) => true | string): Promise<string> => {
    if (value !== undefined) return value;
    if (!interactive) return fallback;
    return app.prompts.input(message, { default: fallback, validate });
  };
  const product = await ask(flags.product, 'Product id (goes into every license)', d.product, (v) => check(FIELD_RULES.product(v)));
  const productName = await ask(flags.productName, 'Product name (shown in emails)', existing?.productName ?? product, (v) => (v.trim() ? true : 'a name, please'));
  const prefix = (await ask(flags.prefix, 'License key prefix', d.prefix, (v) => check(FIELD_RULES.prefix(v.toUpperCase())))).toUpperCase();
  const tiers = asTiers(await ask(flags.tiers, 'Tiers (comma-separated)', d.tiers.join(','), (v) => check(FIELD_RULES.tiers(asTiers(v)))));
  const years = parseDefaultYears(await ask(flags.defaultYears, 'Default duration in years ("lifetime" for perpetual)', String(d.defaultYears), (v) => check(FIELD_RULES.defaultYears(parseDefaultYears(v)))));
  const blobTag = asBlobTag(await ask(flags.blobTag, 'Tag in front of blobs (e.g. DTLIC3; "none" for bare JWS)', d.blobTag ?? 'none', (v) => check(FIELD_RULES.blobTag(asBlobTag(v)))));
  const config: Config = validateConfig({
    ...d, product, productName, prefix, tiers, defaultYears: years, blobTag, keyStorage,
    ...(flags.supportEmail ? { supportEmail: flags.supportEmail } : {}),
  }, 'init');

  // Creators with shipped apps must keep their existing key (its public half is inside the app).
  let imported = flags.importKey ? await readKeyFile(flags.importKey) : undefined;
  if (!imported && interactive && !hasKey) {
    const path = (await app.prompts.input('Path of your existing private key (seed or PEM) to import; empty to generate a new key', {
      default: '',
      validate: (v) => (v.trim() === '' ? true : tryReadKeyFile(v.trim())),
    })).trim();
    if (path) imported = await readKeyFile(path);
  }

  let kid = store.activeRecord()?.kid;
  if (imported) {
    await store.add(imported, config.keyStorage, true);
    kid = imported.kid;
  } else if (!kid && !app.env[PRIVATE_KEY_ENV]) {
    kid = (await generateKey(app, config.keyStorage)).kid;
  }
  // config.json last: it is what makes a home "initialised", so a failure before it (an unwritable
  // ledger path) leaves a home that the next init resumes instead of refusing.
  const ledger = await app.ledger({ create: true });
  saveConfig(app.paths.configFile, config);
  if (app.json) return app.out.json({ config, configFile: app.paths.configFile, ledger: ledger.path, kid: kid ?? null });
  if (imported) app.out.info(`Imported signing key ${kid}; check its public key with "license-admin keys show".`);
  else if (kid && !hasKey) app.out.info(`Generated signing key ${kid} (${config.keyStorage === 'keychain' ? 'in the OS keychain' : config.keyStorage}).`);
  app.out.info(`Wrote ${app.paths.configFile}`);
  app.out.info(`Ledger ready at ${ledger.path}`);
  app.out.info(color.green('Done.') + ' Next: license-admin mint --tier pro --email buyer@example.com   (and "license-admin keys backup" for escrow)');
}

/** The prompt's check of a typed path (stdin is the terminal there, so "-" is no choice). */
function tryReadKeyFile(path: string): true | string {
  try {
    keyFromText(path, readFileSync(path, 'utf8'));
    return true;
  } catch (error) {
    return describeReadError(path, error).message;
  }
}

async function readKeyFile(path: string): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFileOrStdin(path);
  } catch (error) {
    throw describeReadError(path, error);
  }
  return keyFromText(path, text);
}

function keyFromText(path: string, text: string): SigningKey {
  try {
    return parsePrivateKey(text);
  } catch (error) {
    throw describeReadError(path, error);
  }
}

function describeReadError(path: string, error: unknown): Error {
  if (error instanceof KeyFormatError) return new UserError(`${path}: ${error.message}`);
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new UserError(`${path}: no such file`);
  return error as Error;
}
