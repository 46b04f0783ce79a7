// Where the signing key comes from, in order: LICENSE_ADMIN_PRIVATE_KEY (the keychain is not touched),
// then the active key of keys.json from its storage (OS keychain, encrypted file, or plaintext file).
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyStorage } from '../config/config.js';
import type { Env, Paths } from '../config/paths.js';
import { UserError } from '../errors.js';
import { KeyFormatError, parsePrivateKey, signingKeyFromSeed, type SigningKey } from '../license/ed25519-key.js';
import type { PublicJwk } from '../verify/ed25519.js';
import { readKeyRegistry, writeKeyRegistry, type KeyRecord } from './key-registry.js';
import { createKeychain, type SecretStore } from './keychain.js';
import { open, seal, type SealedBox } from './passphrase-box.js';

export const PRIVATE_KEY_ENV = 'LICENSE_ADMIN_PRIVATE_KEY';
export const PASSPHRASE_ENV = 'LICENSE_ADMIN_KEY_PASSPHRASE';

export type PublicKey = PublicJwk & { kid: string };

export interface KeyStoreDeps {
  paths: Paths;
  env: Env;
  now: () => Date;
  keychain?: SecretStore;
  askPassphrase?: (message: string, options: { isNew: boolean }) => Promise<string>;
}

export class KeyStore {
  private readonly keychain: SecretStore;
  constructor(private readonly deps: KeyStoreDeps) {
    this.keychain = deps.keychain ?? createKeychain();
  }

  records(): KeyRecord[] {
    return readKeyRegistry(this.deps.paths.keysFile);
  }

  /** Every key a blob may be verified against: the registry's plus an env key. */
  publicKeys(): PublicKey[] {
    const keys: PublicKey[] = this.records().map((r) => ({ kty: 'OKP', crv: 'Ed25519', x: r.x, kid: r.kid }));
    const envKey = this.envKey();
    if (envKey && !keys.some((k) => k.kid === envKey.kid)) keys.push(envKey.publicJwk);
    return keys;
  }

  activeRecord(): KeyRecord | undefined {
    return this.records().find((r) => r.active);
  }

  private envKey(): SigningKey | null {
    const text = this.deps.env[PRIVATE_KEY_ENV];
    if (!text) return null;
    try {
      return parsePrivateKey(text);
    } catch (error) {
      if (error instanceof KeyFormatError) throw new UserError(`${PRIVATE_KEY_ENV} is set but unusable: ${error.message}`);
      throw error;
    }
  }

  /**
   * When the env key is not one of the registered keys, apps that embed the registered keys will
   * reject what it signs: say so (the caller warns).
   */
  envKeyMismatch(): string | null {
    const envKey = this.envKey();
    const records = this.records();
    if (!envKey || records.length === 0 || records.some((r) => r.kid === envKey.kid)) return null;
    return `${PRIVATE_KEY_ENV} holds key ${envKey.kid}, which is not among your keys (${records.map((r) => r.kid).join(', ')}); apps that trust those keys will reject this license. If it is your key, run "license-admin keys import --from-env ${PRIVATE_KEY_ENV}".`;
  }

  activate(kid: string): KeyRecord {
    const records = this.records();
    const target = records.find((r) => r.kid === kid);
    if (!target) throw new UserError(`no key ${kid}; "license-admin keys show" lists them`);
    for (const r of records) {
      if (r.active && r !== target) r.retiredAt = this.deps.now().toISOString();
      r.active = r === target;
    }
    delete target.retiredAt;
    writeKeyRegistry(this.deps.paths.keysFile, records);
    return target;
  }

  async activeSigner(): Promise<SigningKey> {
    const envKey = this.envKey();
    if (envKey) return envKey;
    const record = this.activeRecord();
    if (!record) throw new UserError('no signing key yet: run "license-admin keys init" (or "keys import" for an existing key)');
    return this.load(record);
  }

  /** The signer of a product with its own key (products.ts signingKid): that key, wherever it is kept. */
  async signerFor(kid: string): Promise<SigningKey> {
    const envKey = this.envKey();
    if (envKey?.kid === kid) return envKey;
    const record = this.records().find((r) => r.kid === kid);
    if (!record) throw new UserError(`the product's signing key ${kid} is not among your keys ("license-admin keys show" lists them; restore it with "keys import")`);
    return this.load(record);
  }

  async load(record: KeyRecord): Promise<SigningKey> {
    const seed = await this.readSeed(record);
    const key = signingKeyFromSeed(seed);
    if (key.kid !== record.kid) throw new UserError(`the private key stored for ${record.kid} does not match its public key; restore it from your backup`);
    return key;
  }

  private async readSeed(record: KeyRecord): Promise<Buffer> {
    if (record.storage === 'remote') throw new UserError(`the private key ${record.kid} lives only in ${record.signer ?? 'a remote signer'}; sign through it with LICENSE_ADMIN_SIGNER`);
    if (record.storage === 'keychain') {
      const stored = await this.keychain.get(account(record.kid));
      if (!stored) throw new UserError(`the OS keychain has no private key for ${record.kid}; restore it with "license-admin keys import <backup>"`);
      return Buffer.from(stored, 'base64');
    }
    const file = this.keyFile(record);
    if (!existsSync(file)) throw new UserError(`key file ${file} is missing; restore it with "license-admin keys import <backup>"`);
    if (record.storage === 'plaintext-file') return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    const passphrase = await this.passphrase(`Passphrase for signing key ${record.kid}`);
    return open(JSON.parse(readFileSync(file, 'utf8')) as SealedBox, passphrase, file);
  }

  private keyFile(record: Pick<KeyRecord, 'kid' | 'storage'>): string {
    return join(this.deps.paths.keyFilesDir, `${record.kid}${record.storage === 'plaintext-file' ? '.seed' : '.key.json'}`);
  }

  async passphrase(message: string, options: { isNew?: boolean } = {}): Promise<string> {
    const fromEnv = this.deps.env[PASSPHRASE_ENV];
    if (fromEnv) return fromEnv;
    if (!this.deps.askPassphrase) throw new UserError(`set ${PASSPHRASE_ENV} (the key file's passphrase); not asking because stdin is not a terminal`);
    return this.deps.askPassphrase(message, { isNew: options.isNew ?? false });
  }

  /**
   * Records a key whose private half went into a remote signer (keys import --to). A key already recorded
   * keeps its local copy and its record; `activate` makes it the signing key.
   */
  addRemote(publicJwk: PublicKey, signer: string, activate: boolean): { record: KeyRecord; existed: boolean } {
    const records = this.records();
    const existing = records.find((r) => r.kid === publicJwk.kid);
    const record: KeyRecord = existing ?? { kid: publicJwk.kid, x: publicJwk.x, createdAt: this.deps.now().toISOString(), storage: 'remote', signer, active: false };
    if (!existing) records.push(record);
    if (activate) {
      for (const r of records) {
        if (r.active && r !== record) r.retiredAt = this.deps.now().toISOString();
        r.active = r === record;
      }
    }
    writeKeyRegistry(this.deps.paths.keysFile, records);
    return { record, existed: Boolean(existing) };
  }

  /**
   * After the key went into a remote signer: its local private half (keychain entry or key file) is removed
   * and the record says where it lives now. The registry is written first, so a failure in between leaves a
   * stray copy to delete by hand, never a record pointing at a copy that is gone.
   */
  async dropLocalCopy(kid: string, signer: string): Promise<{ removed: KeyStorage | null }> {
    const records = this.records();
    const record = records.find((r) => r.kid === kid);
    if (!record || record.storage === 'remote') return { removed: null };
    const was = { kid: record.kid, storage: record.storage };
    record.storage = 'remote';
    record.signer = signer;
    writeKeyRegistry(this.deps.paths.keysFile, records);
    if (was.storage === 'keychain') await this.keychain.delete(account(was.kid));
    else rmSync(this.keyFile(was), { force: true });
    return { removed: was.storage };
  }

  /** Can a new key be stored there, here and now? Checked before init writes anything. */
  async checkStorage(storage: KeyStorage): Promise<void> {
    if (this.deps.env[PRIVATE_KEY_ENV]) return;
    if (storage === 'keychain') {
      const probe = `probe:${process.pid}:${Date.now()}`;
      await this.keychain.set(probe, 'probe');
      await this.keychain.delete(probe);
    } else if (storage === 'file') {
      const fromEnv = this.deps.env[PASSPHRASE_ENV];
      if (fromEnv !== undefined && fromEnv.length < 8) throw new UserError(`${PASSPHRASE_ENV} is too short: a key file's passphrase needs at least 8 characters`);
      if (!fromEnv && !this.deps.askPassphrase) throw new UserError(`--key-storage file needs a passphrase: set ${PASSPHRASE_ENV} (not asking because stdin is not a terminal)`);
    }
  }

  /** Stores the private half and records the public half. `activate` makes it the signing key. */
  async add(key: SigningKey, storage: KeyStorage, activate: boolean): Promise<{ record: KeyRecord; existed: boolean }> {
    const records = this.records();
    const existing = records.find((r) => r.kid === key.kid);
    const record: KeyRecord = existing ?? { kid: key.kid, x: key.publicJwk.x, createdAt: this.deps.now().toISOString(), storage, active: false };
    record.storage = storage;
    await this.writeSeed(record, key.exportSeed());
    if (!existing) records.push(record);
    if (activate) {
      for (const r of records) {
        if (r.active && r !== record) r.retiredAt = this.deps.now().toISOString();
        r.active = r === record;
      }
    }
    writeKeyRegistry(this.deps.paths.keysFile, records);
    return { record, existed: Boolean(existing) };
  }

  private async writeSeed(record: KeyRecord, seed: Buffer): Promise<void> {
    if (record.storage === 'keychain') {
      await this.keychain.set(account(record.kid), seed.toString('base64'));
      return;
    }
    mkdirSync(this.deps.paths.keyFilesDir, { recursive: true, mode: 0o700 });
    const file = this.keyFile(record);
    if (record.storage === 'plaintext-file') {
      writeFileSync(file, `${seed.toString('hex')}\n`, { mode: 0o600 });
      chmodSync(file, 0o600);
      return;
    }
    const passphrase = await this.passphrase(`New passphrase for signing key ${record.kid}`, { isNew: true });
    writeFileSync(file, JSON.stringify(seal(seed, passphrase)), { mode: 0o600 });
  }

}

function account(kid: string): string {
  return `signing-key:${kid}`;
}
