// Vault / OpenBao transit: the key never leaves Vault; this process holds only VAULT_TOKEN (from the
// environment) and asks Vault to sign. Requests and responses as documented in hashicorp/vault
// website/content/api-docs/secret/transit.mdx ("Sign data", "Read key", "Get wrapping key", "Import key")
// and implemented in builtin/logical/transit/path_sign_verify.go, path_keys.go, path_wrapping_key.go and
// path_import.go. OpenBao serves the same API. Without VAULT_TOKEN, AppRole: VAULT_ROLE_ID and VAULT_SECRET_ID
// log in once (`POST /v1/auth/<VAULT_APPROLE_MOUNT, default approle>/login` → `auth.client_token`, as in
// website/content/api-docs/auth/approle.mdx "Login with AppRole") and again when Vault refuses the token.
import { SignerError } from '../license/signer.js';
import { callPolicy, callSigningService, type CallPolicy, type HttpAnswer } from './remote-http.js';
import type { Env, RemoteKey } from './remote-key.js';
import type { SignerSpec } from './signer-uri.js';
import { wrapForTransitImport } from './vault-byok.js';

export const VAULT_TOKEN_ENV = 'VAULT_TOKEN';
export const VAULT_NAMESPACE_ENV = 'VAULT_NAMESPACE';
export const VAULT_ROLE_ID_ENV = 'VAULT_ROLE_ID';
export const VAULT_SECRET_ID_ENV = 'VAULT_SECRET_ID';
export const VAULT_APPROLE_MOUNT_ENV = 'VAULT_APPROLE_MOUNT';

type VaultSpec = Extract<SignerSpec, { kind: 'vault' }>;

interface VaultKeyData {
  type?: string;
  latest_version?: number;
  keys?: Record<string, { public_key?: string } | number>;
}

/** Vault's `{"errors": [...]}`, first line only (Vault's messages name paths, never the token). */
function vaultSays(body: unknown): string {
  const errors = (body as { errors?: unknown })?.errors;
  const first = Array.isArray(errors) && typeof errors[0] === 'string' ? errors[0] : '';
  return first.split('\n')[0]!.slice(0, 200);
}

export function openVaultKey(spec: VaultSpec, env: Env, policy: CallPolicy = callPolicy(env)): RemoteKey {
  const who = `Vault transit key ${spec.label}`;
  const mount = spec.mount.split('/').map(encodeURIComponent).join('/');
  const name = encodeURIComponent(spec.name);

  const namespace: Record<string, string> = env[VAULT_NAMESPACE_ENV] ? { 'x-vault-namespace': env[VAULT_NAMESPACE_ENV] } : {};
  const appRole = !env[VAULT_TOKEN_ENV] && env[VAULT_ROLE_ID_ENV] && env[VAULT_SECRET_ID_ENV];
  let loggedIn: Promise<string> | null = null;

  const logIn = async (): Promise<string> => {
    const authMount = (env[VAULT_APPROLE_MOUNT_ENV] || 'approle').split('/').map(encodeURIComponent).join('/');
    const answer = await callSigningService(`${spec.baseUrl}/v1/auth/${authMount}/login`, { method: 'POST', headers: namespace, body: { role_id: env[VAULT_ROLE_ID_ENV], secret_id: env[VAULT_SECRET_ID_ENV] } }, policy, who);
    if (answer.status !== 200) {
      throw new SignerError(`${who}: Vault refused the AppRole login with ${VAULT_ROLE_ID_ENV} / ${VAULT_SECRET_ID_ENV} (${answer.status}${vaultSays(answer.body) ? ` ${vaultSays(answer.body)}` : ''}); nothing was signed`);
    }
    const token = (answer.body as { auth?: { client_token?: unknown } })?.auth?.client_token;
    if (typeof token !== 'string' || token === '') throw new SignerError(`${who}: Vault's AppRole login answer has no auth.client_token`);
    return token;
  };

  const tokenFor = (fresh: boolean): Promise<string> => {
    const token = env[VAULT_TOKEN_ENV];
    if (token) return Promise.resolve(token);
    if (!appRole) {
      throw new SignerError(`${who}: set ${VAULT_TOKEN_ENV} (a Vault token allowed to sign with this key), or ${VAULT_ROLE_ID_ENV} and ${VAULT_SECRET_ID_ENV} for AppRole; they are never read from the config or the URI`);
    }
    if (fresh || !loggedIn) {
      const attempt = logIn();
      loggedIn = attempt;
      attempt.catch(() => {
        if (loggedIn === attempt) loggedIn = null;
      });
    }
    return loggedIn!;
  };

  const call = async (method: string, path: string, body?: unknown): Promise<HttpAnswer> => {
    const send = async (token: string) =>
      callSigningService(`${spec.baseUrl}/v1/${mount}/${path}`, { method, headers: { 'x-vault-token': token, ...namespace }, ...(body === undefined ? {} : { body }) }, policy, who);
    let answer = await send(await tokenFor(false));
    // An AppRole token expires (its TTL): log in again once, then believe the refusal.
    if (answer.status === 403 && appRole) answer = await send(await tokenFor(true));
    if (answer.status === 403) {
      const holder = appRole ? `the token of the AppRole in ${VAULT_ROLE_ID_ENV}` : `the token in ${VAULT_TOKEN_ENV}`;
      throw new SignerError(`${who}: Vault refused ${holder} (403 ${vaultSays(answer.body) || 'permission denied'}): it has expired or been revoked, or its policy does not allow ${method === 'GET' ? 'read' : 'update'} on ${spec.mount}/${path.split('/')[0]}; nothing was signed`);
    }
    return answer;
  };

  const fail = (what: string, answer: HttpAnswer): never => {
    throw new SignerError(`${who}: ${what} failed (${answer.status}${vaultSays(answer.body) ? `: ${vaultSays(answer.body)}` : ''})`);
  };

  return {
    backend: 'vault',
    async publicKey() {
      const answer = await call('GET', `keys/${name}`);
      if (answer.status === 404) return null;
      if (answer.status !== 200) return fail('reading the key', answer);
      const data = (answer.body as { data?: VaultKeyData })?.data;
      if (data?.type !== 'ed25519') throw new SignerError(`${who} is of type ${data?.type ?? 'unknown'}; licenses are signed with an ed25519 key`);
      const latest = data.keys?.[String(data.latest_version)];
      const publicKey = typeof latest === 'object' ? latest.public_key : undefined;
      if (!publicKey) throw new SignerError(`${who}: Vault did not report the public key of version ${data.latest_version}`);
      return new Uint8Array(Buffer.from(publicKey, 'base64'));
    },
    async sign(message) {
      const answer = await call('POST', `sign/${name}`, { input: Buffer.from(message).toString('base64') });
      if (answer.status === 404 || (answer.status === 400 && /not found|no existing key/i.test(vaultSays(answer.body)))) {
        throw new SignerError(`${who} does not exist; put the key there with "license-admin keys import --to <uri>"`);
      }
      if (answer.status !== 200) return fail('signing', answer);
      const signature = (answer.body as { data?: { signature?: unknown } })?.data?.signature;
      const match = typeof signature === 'string' ? /^vault:v\d+:([A-Za-z0-9+/=]+)$/.exec(signature) : null;
      if (!match) throw new SignerError(`${who}: Vault's answer has no signature of the form vault:v<n>:<base64>`);
      return new Uint8Array(Buffer.from(match[1]!, 'base64'));
    },
    async importSeed(seed) {
      const wrapping = await call('GET', 'wrapping_key');
      if (wrapping.status !== 200) return fail('reading the wrapping key', wrapping);
      const pem = (wrapping.body as { data?: { public_key?: unknown } })?.data?.public_key;
      if (typeof pem !== 'string') throw new SignerError(`${who}: Vault's wrapping_key answer has no public_key`);
      let ciphertext: string;
      try {
        ciphertext = wrapForTransitImport(pem, seed);
      } catch (error) {
        throw new SignerError(`${who}: ${(error as Error).message}`);
      }
      // exportable and allow_plaintext_backup stay false: the key can sign, it cannot be read back out.
      const answer = await call('POST', `keys/${name}/import`, { type: 'ed25519', hash_function: 'SHA256', ciphertext, exportable: false, allow_plaintext_backup: false });
      if (answer.status !== 200 && answer.status !== 204) return fail('importing the key', answer);
    },
    async close() {},
  };
}
