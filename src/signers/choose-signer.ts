// Which signer a command or `serve` uses: LICENSE_ADMIN_SIGNER (a remote backend) or the local key
// (LICENSE_ADMIN_PRIVATE_KEY, else keys.json's key). Both at once is refused unless LICENSE_ADMIN_SIGNER_USE
// says which, so a server meant to hold no key never signs with one left in its environment by mistake.
import type { KeyStore, PublicKey } from '../keys/key-store.js';
import { PRIVATE_KEY_ENV } from '../keys/key-store.js';
import { UserError } from '../errors.js';
import { localSigner, type Signer } from '../license/signer.js';
import { openRemoteSigner, type RemoteSigner } from './open-signer.js';
import type { Env } from './remote-key.js';
import { SIGNER_ENV } from './signer-uri.js';

export const SIGNER_USE_ENV = 'LICENSE_ADMIN_SIGNER_USE';

export type SignerChoice = 'remote' | 'local';

export function signerChoice(env: Env): SignerChoice {
  const use = env[SIGNER_USE_ENV];
  if (use !== undefined && use !== 'remote' && use !== 'local') throw new UserError(`${SIGNER_USE_ENV} is "remote" or "local", not "${use.slice(0, 20)}"`);
  if (!env[SIGNER_ENV]) {
    if (use === 'remote') throw new UserError(`${SIGNER_USE_ENV}=remote but ${SIGNER_ENV} is not set`);
    return 'local';
  }
  if (env[PRIVATE_KEY_ENV] && !use) {
    throw new UserError(`both ${SIGNER_ENV} (a remote signer) and ${PRIVATE_KEY_ENV} (a local key) are set; unset one, or set ${SIGNER_USE_ENV}=remote or ${SIGNER_USE_ENV}=local to say which signs`);
  }
  return use ?? 'remote';
}

/** The key a remote signer must hold: the product's signingKid, else the active key of keys.json (none: the backend's own). */
export function pinnedKeyFor(keys: KeyStore, kid: string): PublicKey | null {
  const records = keys.records();
  const record = kid ? records.find((r) => r.kid === kid) : records.find((r) => r.active);
  if (kid && !record) throw new UserError(`the product's signing key ${kid} is not among your keys ("license-admin keys show" lists them)`);
  return record ? { kty: 'OKP', crv: 'Ed25519', x: record.x, kid: record.kid } : null;
}

export async function openRemote(keys: KeyStore, env: Env, kid: string): Promise<RemoteSigner> {
  return openRemoteSigner(env[SIGNER_ENV]!, env, pinnedKeyFor(keys, kid));
}

/** kid '' = the active key. */
export async function chooseSigner(keys: KeyStore, env: Env, kid: string): Promise<Signer> {
  if (signerChoice(env) === 'remote') return (await openRemote(keys, env, kid)).signer;
  return localSigner(kid ? await keys.signerFor(kid) : await keys.activeSigner());
}
