// LICENSE_ADMIN_SIGNER -> a Signer: the backend's key, pinned to the project's public key (keys.json) when
// there is one, else to the key the backend reports. Opening contacts the backend only when nothing is pinned,
// so a server starts (and queues sales) while its HSM or KMS is down.
import { publicJwkFromRaw } from '../license/ed25519-key.js';
import { backendKeyProblem, pinnedSigner, SignerError, type Signer } from '../license/signer.js';
import type { PublicJwk } from '../verify/ed25519.js';
import type { Env, RemoteKey } from './remote-key.js';
import { parseSignerUri, type SignerSpec } from './signer-uri.js';

export type PinnedKey = PublicJwk & { kid: string };

export interface RemoteSigner {
  spec: SignerSpec;
  key: RemoteKey;
  signer: Signer;
}

export async function openRemoteKey(spec: SignerSpec, env: Env): Promise<RemoteKey> {
  switch (spec.kind) {
    case 'pkcs11':
      return (await import('./pkcs11.js')).openPkcs11Key(spec, env);
    case 'vault':
      return (await import('./vault.js')).openVaultKey(spec, env);
    case 'aws-kms':
      return (await import('./aws-kms.js')).openAwsKmsKey(spec, env);
    case 'gcp-kms':
      return (await import('./gcp-kms.js')).openGcpKmsKey(spec, env);
  }
}

export async function backendPublicKey(remote: Pick<RemoteSigner, 'spec' | 'key'>): Promise<PinnedKey> {
  const raw = await remote.key.publicKey();
  if (!raw) throw new SignerError(`the ${remote.spec.kind} signer ${remote.spec.label} has no key (or no public key object) there; put the key in with "license-admin keys import --to <uri>"`);
  if (raw.length !== 32) throw new SignerError(`the ${remote.spec.kind} signer ${remote.spec.label} reports a public key of ${raw.length} bytes; an Ed25519 key has 32`);
  return publicJwkFromRaw(raw);
}

/** Fails when the backend's key is known and is not the pinned one. */
export async function checkBackendKey(remote: RemoteSigner): Promise<void> {
  const raw = await remote.key.publicKey();
  const problem = backendKeyProblem(remote.spec.kind, remote.spec.label, raw ? publicJwkFromRaw(raw).x : null, remote.signer.publicJwk);
  if (problem) throw new SignerError(problem);
}

export async function openRemoteSigner(uri: string, env: Env, pinned: PinnedKey | null): Promise<RemoteSigner> {
  const spec = parseSignerUri(uri);
  const key = await openRemoteKey(spec, env);
  const publicJwk = pinned ?? (await backendPublicKey({ spec, key }));
  return { spec, key, signer: pinnedSigner(key, publicJwk, spec.label) };
}
