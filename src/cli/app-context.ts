// Everything a command may need, built lazily so `--version` and `--help` load nothing heavy.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { loadConfig, type Config } from '../config/config.js';
import { resolvePaths, type Env, type Paths } from '../config/paths.js';
import { configForProduct } from '../config/products.js';
import { UserError } from '../errors.js';
import type { Signer } from '../license/signer.js';
import type { LicenseFormat } from '../license/format.js';
import type { Ledger } from '../ledger/ledger.js';
import type { KeyStore } from '../keys/key-store.js';
import type { SigningContext, UseCaseContext } from '../usecases/context.js';
import type { SqliteLedgerStore } from '../stores/sqlite-ledger-store.js';
import { createOutput, type Output } from './io.js';
import { checkNewPassphrase, createPrompts, type Prompts } from './prompts.js';

export interface GlobalOptions {
  json?: boolean;
  ledger?: string;
}

export interface AppContext {
  env: Env;
  paths: Paths;
  out: Output;
  prompts: Prompts;
  clock: () => Date;
  random: (n: number) => Uint8Array;
  json: boolean;
  actor: string;
  configOrNull(): Config | null;
  config(): Config;
  /** Opens the ledger; only `init` (create: true) may bring a new ledger file into existence. */
  ledger(options?: { create?: boolean }): Promise<Ledger>;
  keys(): Promise<KeyStore>;
  /** The product's view of the config (products.ts); no id: the first product, i.e. config() itself. */
  productConfig(product?: string): Config;
  format(product?: string): Promise<LicenseFormat>;
  /** The product's signer: a remote backend (LICENSE_ADMIN_SIGNER) or the local key. */
  signer(product?: string): Promise<Signer>;
  ops(product?: string): Promise<UseCaseContext>;
  signing(product?: string): Promise<SigningContext>;
  /** The use cases' port over the ledger (src/stores/sqlite-ledger-store.ts). */
  store(): Promise<SqliteLedgerStore>;
  /** How the CLI says a key is not in its ledger (LedgerTx.missingLicense). */
  missingLicense(licenseKey: string): string;
  close(): void;
}

export function createAppContext(global: GlobalOptions, env: Env = process.env): AppContext {
  const paths = resolvePaths(env, process.platform, global.ledger);
  const prompts = createPrompts(env);
  let config: Config | null | undefined;
  let ledger: Ledger | undefined;
  let keys: KeyStore | undefined;
  const formats = new Map<string, LicenseFormat>();
  const signers = new Map<string, Signer>();
  let store: SqliteLedgerStore | undefined;
  const app: AppContext = {
    env,
    paths,
    out: createOutput(),
    prompts,
    clock: () => (env.LICENSE_ADMIN_NOW ? new Date(env.LICENSE_ADMIN_NOW) : new Date()),
    random: (n) => randomBytes(n),
    json: Boolean(global.json),
    actor: `cli:${safeUsername()}`,
    configOrNull() {
      if (config === undefined) config = loadConfig(paths.configFile);
      return config;
    },
    config() {
      const c = app.configOrNull();
      if (!c) throw new UserError(`no configuration at ${paths.configFile}; run "license-admin init" first (or "license-admin init --yes" for the defaults)`);
      return c;
    },
    async ledger(options = {}) {
      if (!ledger) {
        if (!options.create && !existsSync(paths.ledgerFile)) {
          // A typo in LICENSE_ADMIN_HOME or --ledger must not look like "this buyer has no license".
          if (!app.configOrNull()) app.config();
          if (global.ledger || env.LICENSE_ADMIN_LEDGER) throw new UserError(`no ledger at ${paths.ledgerFile}; check --ledger / LICENSE_ADMIN_LEDGER`);
        }
        const { Ledger } = await import('../ledger/ledger.js');
        ledger = new Ledger(paths.ledgerFile);
      }
      return ledger;
    },
    async keys() {
      if (!keys) {
        const { KeyStore } = await import('../keys/key-store.js');
        keys = new KeyStore({
          paths,
          env,
          now: app.clock,
          ...(prompts.interactive
            ? { askPassphrase: (m: string, o: { isNew: boolean }) => (o.isNew ? prompts.newPassword(m, checkNewPassphrase) : prompts.password(m)) }
            : {}),
        });
      }
      return keys;
    },
    productConfig(product) {
      return product === undefined ? app.config() : configForProduct(app.config(), product);
    },
    async format(product) {
      const view = app.productConfig(product);
      let format = formats.get(view.product);
      if (!format) {
        const { loadFormat } = await import('../license/load-format.js');
        format = await loadFormat(view, paths.configDir);
        formats.set(view.product, format);
      }
      return format;
    },
    async signer(product) {
      const kid = app.productConfig(product).signingKid ?? '';
      let signer = signers.get(kid);
      if (!signer) {
        const store = await app.keys();
        const [{ chooseSigner }, { signerEnv }] = await Promise.all([import('../signers/choose-signer.js'), import('../signers/signer-config.js')]);
        signer = await chooseSigner(store, signerEnv(app), kid);
        const mismatch = signer.backend === 'local' ? store.envKeyMismatch() : null;
        if (mismatch) app.out.warn(mismatch);
        signers.set(kid, signer);
      }
      return signer;
    },
    async ops(product) {
      return { config: app.productConfig(product), format: await app.format(product), clock: app.clock, random: app.random, actor: app.actor, source: 'cli' };
    },
    async signing(product) {
      return { ...(await app.ops(product)), signer: await app.signer(product) };
    },
    async store() {
      if (!store) {
        const [{ SqliteLedgerStore }, l] = await Promise.all([import('../stores/sqlite-ledger-store.js'), app.ledger()]);
        store = new SqliteLedgerStore(l, { random: app.random, actor: app.actor, source: 'cli', missingLicense: app.missingLicense });
      }
      return store;
    },
    missingLicense(key) {
      return `no license ${key} in the ledger (${paths.ledgerFile}); try "license-admin search ${key.slice(-4)}"`;
    },
    close() {
      ledger?.close();
    },
  };
  return app;
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
