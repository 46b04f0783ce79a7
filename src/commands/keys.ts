import { readFileSync, writeFileSync } from 'node:fs';
import type { AppContext } from '../cli/app-context.js';
import { color, outColor } from '../cli/colors.js';
import { readFileOrStdin } from '../cli/read-stdin.js';
import { saveConfig } from '../config/config.js';
import { chooseProduct, updateProduct } from '../config/products.js';
import type { KeyStorage } from '../config/config.js';
import { UserError } from '../errors.js';
import { KeyFormatError, parsePrivateKey, signingKeyFromSeed, type SigningKey } from '../license/ed25519-key.js';
import { createBackup, isBackup, openBackup } from '../keys/key-backup.js';
import { PRIVATE_KEY_ENV } from '../keys/key-store.js';
import { exportPublicKey, pythonSnippet, typescriptSnippet } from '../keys/public-key-formats.js';

const BACKUP_PASSPHRASE_ENV = 'LICENSE_ADMIN_BACKUP_PASSPHRASE';

interface StorageFlags {
  keyStorage?: KeyStorage;
  /** The old spelling of --key-storage. */
  storage?: KeyStorage;
}

function storageFor(opts: StorageFlags, app: AppContext): KeyStorage {
  return opts.keyStorage ?? opts.storage ?? app.configOrNull()?.keyStorage ?? 'keychain';
}

function warnPlaintext(app: AppContext, storage: KeyStorage): void {
  if (storage === 'plaintext-file') app.out.warn(`the private key is stored UNENCRYPTED in ${app.paths.keyFilesDir} (mode 0600). Prefer the keychain or --key-storage file.`);
}

export async function generateKey(app: AppContext, storage: KeyStorage): Promise<SigningKey> {
  const key = signingKeyFromSeed(app.random(32));
  await (await app.keys()).add(key, storage, true);
  warnPlaintext(app, storage);
  return key;
}

export async function keysInitCommand(opts: StorageFlags, app: AppContext): Promise<void> {
  const store = await app.keys();
  const active = store.activeRecord();
  if (active) throw new UserError(`a signing key already exists (${active.kid}); use "license-admin keys rotate" for a new one`);
  const key = await generateKey(app, storageFor(opts, app));
  report(app, key, 'Generated', storageFor(opts, app));
}

function report(app: AppContext, key: SigningKey, verb: string, storage: KeyStorage): void {
  if (app.json) return app.out.json({ kid: key.kid, storage, publicKeyHex: exportPublicKey(key.publicJwk, { active: true }).publicKeyHex, jwk: key.publicJwk });
  app.out.info(color.green(`${verb} signing key ${key.kid} (private half in ${storage === 'keychain' ? 'the OS keychain' : storage}).`));
  app.out.data(`Public key (hex): ${exportPublicKey(key.publicJwk, { active: true }).publicKeyHex}`);
}

export async function keysImportCommand(file: string | undefined, opts: StorageFlags & { fromEnv?: string; activate?: boolean; to?: string }, app: AppContext): Promise<void> {
  if (opts.to !== undefined) {
    const remote = await import('./keys-remote.js');
    remote.refuseUnimportable(opts.to); // before asking for the key
    return remote.keysImportToCommand(opts.to, await readKeyText(file, opts, app), opts, app);
  }
  const storage = storageFor(opts, app);
  const store = await app.keys();
  const { text, where } = await readKeyText(file, opts, app);
  let parsedJson: unknown = null;
  try {
    parsedJson = JSON.parse(text);
  } catch {
    // not a backup file
  }
  if (isBackup(parsedJson)) {
    const passphrase = app.env[BACKUP_PASSPHRASE_ENV] ?? (app.prompts.interactive ? await app.prompts.password(`Passphrase for ${where}`) : undefined);
    if (!passphrase) throw new UserError(`set ${BACKUP_PASSPHRASE_ENV} to the backup's passphrase (not asking: stdin is not a terminal)`);
    const restored = openBackup(parsedJson, passphrase, where);
    const keys = [];
    for (const entry of restored) {
      const key = signingKeyFromSeed(entry.seed);
      await store.add(key, storage, entry.active && opts.activate !== false);
      keys.push({ kid: key.kid, active: entry.active });
    }
    if (app.json) return app.out.json({ restored: keys });
    app.out.info(color.green(`Restored ${keys.length} key(s) from ${where}: ${keys.map((k) => `${k.kid}${k.active ? ' (active)' : ''}`).join(', ')}.`));
    return;
  }
  let key: SigningKey;
  try {
    key = parsePrivateKey(text);
  } catch (error) {
    if (error instanceof KeyFormatError) throw new UserError(`${where}: ${error.message}`);
    throw error;
  }
  const { existed } = await store.add(key, storage, opts.activate !== false);
  warnPlaintext(app, storage);
  report(app, key, existed ? 'Re-imported' : 'Imported', storage);
  if (!app.json) app.out.info('Check that this public key matches the one embedded in your shipped app before minting.');
}

export async function keysShowCommand(opts: { product?: string }, app: AppContext): Promise<void> {
  const product = opts.product === undefined ? undefined : chooseProduct(app.config(), opts.product);
  const store = await app.keys();
  const records = store.records();
  const keys = store.publicKeys().map((jwk) => {
    const r = records.find((rec) => rec.kid === jwk.kid);
    return exportPublicKey(jwk, {
      active: r ? r.active : true,
      ...(r ? { createdAt: r.createdAt, storage: r.storage } : { storage: 'env' }),
      ...(r?.retiredAt ? { retiredAt: r.retiredAt } : {}),
    });
  });
  if (keys.length === 0) throw new UserError('no signing keys yet: run "license-admin keys init" or "keys import"');
  const productKid = product ? app.productConfig(product).signingKid : undefined;
  const activeKid = productKid ?? (app.env[PRIVATE_KEY_ENV] ? (await store.activeSigner()).kid : keys.find((k) => k.active)?.kid ?? null);
  const jwks = { keys: keys.map((k) => k.jwk) };
  const config = product ? app.productConfig(product) : app.configOrNull();
  if (app.json) return app.out.json({ kid: activeKid, ...(product ? { product } : {}), keys, jwks });
  for (const k of keys) {
    app.out.data(`${outColor.bold(`Key ${k.kid}`)}${k.kid === activeKid ? outColor.green(' (active: signs new licenses)') : ' (verification only)'}`);
    app.out.data(`  raw hex:  ${k.publicKeyHex}\n  JWK:      ${JSON.stringify(k.jwk)}\n${k.pem.trim().replace(/^/gm, '  ')}\n`);
  }
  app.out.data(`${outColor.bold('JWKS')} (serve or embed):\n${JSON.stringify(jwks, null, 2)}\n`);
  app.out.data(`${outColor.bold('TypeScript / Electron')}:\n${typescriptSnippet(jwks, config?.product ?? 'my-app', config?.blobTag ?? null)}\n`);
  app.out.data(`${outColor.bold('Python')}:\n${pythonSnippet(keys)}`);
}

export async function keysRotateCommand(opts: StorageFlags & { prepare?: boolean; product?: string }, app: AppContext): Promise<void> {
  if (opts.product !== undefined) return rotateProductKey(opts.product, opts, app);
  const store = await app.keys();
  const previous = store.activeRecord();
  if (!previous) throw new UserError('no key to rotate yet: run "license-admin keys init"');
  const storage = storageFor(opts, app);
  const key = signingKeyFromSeed(app.random(32));
  await store.add(key, storage, !opts.prepare);
  warnPlaintext(app, storage);
  if (app.json) return app.out.json({ kid: key.kid, active: !opts.prepare, previousKid: previous.kid, jwks: { keys: store.publicKeys() } });
  if (opts.prepare) {
    app.out.info(color.green(`New key ${key.kid} is ready but not signing yet; ${previous.kid} still signs.`));
    app.out.info(`Ship an app build that trusts both keys (license-admin keys show), then: license-admin keys activate ${key.kid}`);
    return;
  }
  app.out.info(color.green(`New active key ${key.kid}; ${previous.kid} is kept for verifying licenses already issued.`));
  app.out.info('Apps that do not trust the new key yet will reject licenses signed from now on: ship a build with both keys (license-admin keys show).');
}

/** A product's own key: added to the key store without touching what signs the other products. */
async function rotateProductKey(productFlag: string, opts: StorageFlags & { prepare?: boolean }, app: AppContext): Promise<void> {
  const product = chooseProduct(app.config(), productFlag);
  const store = await app.keys();
  const previousKid = app.productConfig(product).signingKid ?? store.activeRecord()?.kid ?? null;
  const storage = storageFor(opts, app);
  const key = signingKeyFromSeed(app.random(32));
  await store.add(key, storage, false);
  warnPlaintext(app, storage);
  if (!opts.prepare) setProductSigningKid(app, product, key.kid);
  if (app.json) return app.out.json({ kid: key.kid, active: !opts.prepare, product, previousKid, jwks: { keys: store.publicKeys() } });
  if (opts.prepare) {
    app.out.info(color.green(`New key ${key.kid} for ${product} is ready but not signing yet.`));
    app.out.info(`Ship a ${product} build that trusts it (license-admin keys show --product ${product}), then: license-admin keys activate ${key.kid} --product ${product}`);
    return;
  }
  app.out.info(color.green(`${product} now signs with its own key ${key.kid}${previousKid ? `; ${previousKid} is kept for verifying its licenses already issued` : ''}. The other products are unchanged.`));
}

function setProductSigningKid(app: AppContext, product: string, kid: string): void {
  const config = app.config();
  saveConfig(app.paths.configFile, updateProduct(config, product, { ...app.productConfig(product), signingKid: kid }));
}

export async function keysActivateCommand(kid: string, opts: { product?: string }, app: AppContext): Promise<void> {
  if (opts.product !== undefined) {
    const product = chooseProduct(app.config(), opts.product);
    if (!(await app.keys()).records().some((r) => r.kid === kid)) throw new UserError(`no key ${kid}; "license-admin keys show" lists them`);
    setProductSigningKid(app, product, kid);
    if (app.json) return app.out.json({ kid, active: true, product });
    return app.out.info(color.green(`Key ${kid} now signs new ${product} licenses; the other products are unchanged.`));
  }
  const record = (await app.keys()).activate(kid);
  if (app.json) return app.out.json({ kid: record.kid, active: true });
  app.out.info(color.green(`Key ${record.kid} now signs new licenses; the others stay for verification.`));
}

export async function keysBackupCommand(file: string, app: AppContext): Promise<void> {
  const store = await app.keys();
  const records = store.records();
  if (records.length === 0) throw new UserError('no keys to back up');
  let passphrase = app.env[BACKUP_PASSPHRASE_ENV];
  if (!passphrase) {
    if (!app.prompts.interactive) throw new UserError(`set ${BACKUP_PASSPHRASE_ENV} (the passphrase for the backup); not asking: stdin is not a terminal`);
    passphrase = await app.prompts.password('Passphrase for the backup (you need it to restore)');
    if ((await app.prompts.password('Repeat the passphrase')) !== passphrase) throw new UserError('the passphrases differ');
  }
  const entries = [];
  const remote = records.filter((r) => r.storage === 'remote');
  if (remote.length) app.out.warn(`${remote.map((r) => r.kid).join(', ')} live only in a remote signer and cannot be exported: not in this backup`);
  for (const record of records.filter((r) => r.storage !== 'remote')) entries.push({ record, seed: (await store.load(record)).exportSeed() });
  writeFileSync(file, `${JSON.stringify(createBackup(entries, passphrase, app.clock()), null, 2)}\n`, { mode: 0o600 });
  if (app.json) return app.out.json({ file, kids: records.map((r) => r.kid) });
  app.out.info(color.green(`Wrote an encrypted backup of ${records.length} key(s) to ${file}. Restore with "license-admin keys import ${file}".`));
}

/** The key text for an import: a file, "-" (stdin), --from-env VAR, or LICENSE_ADMIN_PRIVATE_KEY. */
export async function readKeyText(file: string | undefined, opts: { fromEnv?: string }, app: AppContext): Promise<{ text: string; where: string }> {
  let text: string;
  let where: string;
  if (opts.fromEnv) {
    text = app.env[opts.fromEnv] ?? '';
    where = `$${opts.fromEnv}`;
    if (!text) throw new UserError(`${where} is not set`);
  } else if (file) {
    where = file === '-' ? 'stdin' : file;
    try {
      text = await readFileOrStdin(file);
    } catch (error) {
      throw new UserError(`cannot read ${where}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  } else if (app.env[PRIVATE_KEY_ENV]) {
    text = app.env[PRIVATE_KEY_ENV]!;
    where = `$${PRIVATE_KEY_ENV}`;
  } else {
    throw new UserError('give a key file, "-" for stdin, or --from-env VAR', { exitCode: 2 });
  }
  return { text, where };
}
