// Google Cloud KMS through the official client (@google-cloud/kms) on its REST transport (google-gax's
// `fallback: true`: HTTP/1.1 + JSON, no gRPC and no native code): an EC_SIGN_ED25519 key version,
// AsymmetricSign with `data` (pure Ed25519 over the bytes) and GetPublicKey (PEM) to compare with the pinned
// key. Credentials: GOOGLE_OAUTH_ACCESS_TOKEN when set, else Application Default Credentials (a service
// account file in GOOGLE_APPLICATION_CREDENTIALS, gcloud's login, the metadata server). Retries are ours
// (remote-http.ts's policy), so throttling (RESOURCE_EXHAUSTED) is retried too, not only UNAVAILABLE.
// `keys import --to` goes through an import job (importSeed below).
import { createPublicKey } from 'node:crypto';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { OAuth2Client } from 'google-auth-library';
import { UserError } from '../errors.js';
import { SignerError, SignerUnavailableError } from '../license/signer.js';
import { googleFailure, TRANSIENT_GOOGLE_STATUSES, withTimeout } from './gcp-errors.js';
import { callPolicy, retryDelay, type CallPolicy } from './remote-http.js';
import { rsaAesWrapEd25519 } from './rsa-aes-key-wrap.js';
import type { Env, RemoteKey } from './remote-key.js';
import type { SignerSpec } from './signer-uri.js';

type GcpSpec = Extract<SignerSpec, { kind: 'gcp-kms' }>;

export const GCP_ENDPOINT_ENV = 'LICENSE_ADMIN_GCP_KMS_ENDPOINT';
export const GCP_TOKEN_ENV = 'GOOGLE_OAUTH_ACCESS_TOKEN';

function endpointUrl(text: string | undefined): URL | null {
  if (!text) return null;
  try {
    return new URL(text);
  } catch {
    throw new UserError(`${GCP_ENDPOINT_ENV} is not a URL (e.g. https://cloudkms.googleapis.com)`);
  }
}

function clientOptions(env: Env) {
  const endpoint = endpointUrl(env[GCP_ENDPOINT_ENV]);
  const token = env[GCP_TOKEN_ENV];
  let authClient: OAuth2Client | undefined;
  if (token) {
    authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
  }
  return {
    fallback: true as const,
    ...(endpoint ? { apiEndpoint: endpoint.hostname, port: Number(endpoint.port) || (endpoint.protocol === 'http:' ? 80 : 443), protocol: endpoint.protocol.replace(':', '') } : {}),
    ...(authClient ? { authClient } : {}),
  };
}

export function openGcpKmsKey(spec: GcpSpec, env: Env, policy: CallPolicy = callPolicy(env)): RemoteKey {
  const who = `Google Cloud KMS key ${spec.label}`;
  const client = new KeyManagementServiceClient(clientOptions(env));
  // Retries and the deadline are ours (withRetries): the same policy as the other backends, and throttling
  // (RESOURCE_EXHAUSTED) is retried too, which the client's defaults do not.
  const callOptions = { maxRetries: 0 };

  const explain = (error: unknown, what: string, attempts: number): Error => {
    const { status, message } = googleFailure(error);
    if (status === 'NOT_FOUND') return new SignerError(`${who} does not exist (or this account cannot see it); create an EC_SIGN_ED25519 key version and rotate to it, or import the key (ADMIN.md)`);
    if (status === 'UNAUTHENTICATED' || /no authentication|default credentials/i.test(message)) {
      return new SignerError(`${who}: Google refused the credentials or found none (${message}); set GOOGLE_APPLICATION_CREDENTIALS, log in with gcloud, or set ${GCP_TOKEN_ENV}; nothing was signed`);
    }
    if (status === 'PERMISSION_DENIED') return new SignerError(`${who}: permission denied for ${what} (${message}); grant roles/cloudkms.signerVerifier on this key; nothing was signed`);
    if (status === 'FAILED_PRECONDITION') return new SignerError(`${who} cannot be used now (${message}): is the version disabled or destroyed? nothing was signed`);
    if (TRANSIENT_GOOGLE_STATUSES.has(status)) {
      return new SignerUnavailableError(`${who} is not available for ${what}: ${status === 'TIMEOUT' || status === 'NETWORK' ? message : status} after ${attempts} attempt${attempts === 1 ? '' : 's'}; nothing was signed, try again later`);
    }
    return new SignerError(`${who}: ${what} failed (${status}: ${message})`);
  };

  async function withRetries<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTimeout(call(), policy.timeoutMs);
      } catch (error) {
        if (error instanceof SignerError) throw error;
        if (!TRANSIENT_GOOGLE_STATUSES.has(googleFailure(error).status) || attempt >= policy.attempts) throw explain(error, what, attempt);
        await new Promise((r) => setTimeout(r, retryDelay(attempt, policy, null)));
      }
    }
  }

  return {
    backend: 'gcp-kms',
    async publicKey() {
      let answer;
      try {
        [answer] = await withRetries('GetPublicKey', () => client.getPublicKey({ name: spec.name }, callOptions));
      } catch (error) {
        if (error instanceof SignerError && / does not exist /.test(error.message)) return null;
        throw error;
      }
      if (answer.algorithm !== 'EC_SIGN_ED25519') throw new SignerError(`${who} is a ${String(answer.algorithm ?? 'unknown')} key; licenses need EC_SIGN_ED25519`);
      if (!answer.pem) throw new SignerError(`${who}: GetPublicKey returned no PEM`);
      const jwk = createPublicKey(answer.pem).export({ format: 'jwk' });
      return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
    },
    async sign(message) {
      const [answer] = await withRetries('AsymmetricSign', () => client.asymmetricSign({ name: spec.name, data: Buffer.from(message) }, callOptions));
      if (!answer.signature) throw new SignerError(`${who}: AsymmetricSign returned no signature`);
      return new Uint8Array(typeof answer.signature === 'string' ? Buffer.from(answer.signature, 'base64') : answer.signature);
    },
    // An import job (RSA_OAEP_4096_SHA256_AES_256) in the key ring, then ImportCryptoKeyVersion into the
    // CryptoKey of the URI: the wrapped key is CKM_RSA_AES_KEY_WRAP of the PKCS#8 key, as documented for
    // ImportCryptoKeyVersionRequest.wrapped_key. The new version must be the one LICENSE_ADMIN_SIGNER names.
    async importSeed(seed) {
      const cryptoKeyName = spec.name.replace(/\/cryptoKeyVersions\/\d+$/, '');
      const keyRing = cryptoKeyName.replace(/\/cryptoKeys\/[^/]+$/, '');
      const [cryptoKey] = await withRetries('GetCryptoKey', () => client.getCryptoKey({ name: cryptoKeyName }, callOptions)).catch((error: unknown) => {
        if (error instanceof SignerError && / does not exist /.test(error.message)) {
          throw new SignerError(`${who}: create the key first, for import only: gcloud kms keys create ${cryptoKeyName.split('/').pop()} --keyring ${keyRing.split('/').pop()} --location ${keyRing.split('/')[3]} --purpose asymmetric-signing --default-algorithm ec-sign-ed25519 --protection-level hsm --skip-initial-version-creation --import-only`);
        }
        throw error;
      });
      const protectionLevel = cryptoKey.versionTemplate?.protectionLevel ?? 'HSM';
      const [created] = await withRetries('CreateImportJob', () => client.createImportJob({ parent: keyRing, importJobId: `license-admin-${Date.now().toString(36)}`, importJob: { importMethod: 'RSA_OAEP_4096_SHA256_AES_256', protectionLevel } }, callOptions));
      let job = created;
      for (let waited = 0; job.state !== 'ACTIVE'; waited += 1000) {
        if (waited >= 120_000) throw new SignerUnavailableError(`${who}: the import job ${job.name} did not become ACTIVE within 2 minutes; try again`);
        await new Promise((r) => setTimeout(r, 1000));
        [job] = await withRetries('GetImportJob', () => client.getImportJob({ name: job.name! }, callOptions));
      }
      const pem = job.publicKey?.pem;
      if (!pem) throw new SignerError(`${who}: the import job ${job.name} has no public key`);
      const wrappedKey = rsaAesWrapEd25519(pem, seed, 4096);
      let [version] = await withRetries('ImportCryptoKeyVersion', () => client.importCryptoKeyVersion({ parent: cryptoKeyName, algorithm: 'EC_SIGN_ED25519', importJob: job.name!, wrappedKey }, callOptions));
      for (let waited = 0; version.state === 'PENDING_IMPORT'; waited += 1000) {
        if (waited >= 120_000) break;
        await new Promise((r) => setTimeout(r, 1000));
        [version] = await withRetries('GetCryptoKeyVersion', () => client.getCryptoKeyVersion({ name: version.name! }, callOptions));
      }
      if (version.state !== 'ENABLED') throw new SignerError(`${who}: the imported version ${version.name} is ${String(version.state)}${version.importFailureReason ? ` (${version.importFailureReason})` : ''}`);
      if (version.name !== spec.name) {
        throw new SignerError(`the key was imported as gcpkms:${version.name}, not the version LICENSE_ADMIN_SIGNER names; point LICENSE_ADMIN_SIGNER at gcpkms:${version.name} and run "license-admin keys import --to" again (it will find the key there and record it)`);
      }
    },
    async close() {
      await client.close();
    },
  };
}
