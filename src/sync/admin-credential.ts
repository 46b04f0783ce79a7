// The admin credential a CLI uses to sign requests to its server: an Ed25519 key per server origin.
// The private half stays in the OS keychain (or LICENSE_ADMIN_ADMIN_KEY, a 64-hex seed, for CI);
// the server only ever learns the public half.
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { signingKeyFromSeed, type SigningKey } from '../license/ed25519-key.js';
import type { SecretStore } from '../keys/keychain.js';

export type Env = Record<string, string | undefined>;

export function keychainAccount(url: string): string {
  return `admin:${new URL(url).origin}`;
}

function fromEnv(env: Env): SigningKey | null {
  const seed = env.LICENSE_ADMIN_ADMIN_KEY?.trim();
  if (!seed) return null;
  if (!/^[0-9a-fA-F]{64}$/.test(seed)) throw new UserError('LICENSE_ADMIN_ADMIN_KEY must be a 32-byte seed as 64 hex characters');
  return signingKeyFromSeed(Buffer.from(seed, 'hex'));
}

/** The public half as the server expects it: base64url of the raw 32-byte key. */
export function adminPublicKey(key: SigningKey): string {
  return key.publicJwk.x;
}

export async function loadAdminKey(url: string, env: Env, keychain: () => SecretStore): Promise<SigningKey> {
  const key = fromEnv(env);
  if (key) return key;
  const seed = await keychain().get(keychainAccount(url));
  if (!seed) throw new UserError(`no admin credential for ${new URL(url).origin} in the keychain; run "license-admin remote add ${url}" again`);
  return signingKeyFromSeed(Buffer.from(seed, 'hex'));
}

/** Uses LICENSE_ADMIN_ADMIN_KEY when set; otherwise keeps (or creates) one in the keychain. */
export async function ensureAdminKey(url: string, env: Env, keychain: () => SecretStore): Promise<{ key: SigningKey; storedIn: 'env' | 'keychain' }> {
  const key = fromEnv(env);
  if (key) return { key, storedIn: 'env' };
  const store = keychain();
  const account = keychainAccount(url);
  const existing = await store.get(account);
  if (existing) return { key: signingKeyFromSeed(Buffer.from(existing, 'hex')), storedIn: 'keychain' };
  const fresh = signingKeyFromSeed(randomBytes(32));
  await store.set(account, fresh.exportSeed().toString('hex'));
  return { key: fresh, storedIn: 'keychain' };
}

export async function deleteAdminKey(url: string, keychain: () => SecretStore): Promise<boolean> {
  return keychain().delete(keychainAccount(url));
}
