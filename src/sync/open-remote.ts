// The configured server as a ready client: URL from config.json, cursors from the ledger, the admin key
// from the keychain (or LICENSE_ADMIN_ADMIN_KEY).
import type { Config } from '../config/config.js';
import { UserError } from '../errors.js';
import type { SecretStore } from '../keys/keychain.js';
import type { Ledger } from '../ledger/ledger.js';
import { loadAdminKey, type Env } from './admin-credential.js';
import { createRemoteClient, type RemoteClient } from './remote-client.js';
import { getRemote, upsertRemote } from './sync-state.js';

export interface RemoteDeps {
  config: Config;
  ledger: Ledger;
  env: Env;
  clock: () => Date;
  keychain: () => SecretStore;
}

export const DEFAULT_MINT_TIMEOUT_MS = 3_000;
export const DEFAULT_SYNC_TIMEOUT_MS = 120_000;

function timeoutFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms <= 0) throw new UserError(`${name} must be a positive number of milliseconds`);
  return ms;
}

export function configuredRemoteUrl(config: Config): string {
  if (!config.remote?.url) throw new UserError('no server configured; run "license-admin remote add <url>" first');
  return config.remote.url;
}

export async function openRemote(deps: RemoteDeps, purpose: 'sync' | 'mint'): Promise<RemoteClient> {
  const url = configuredRemoteUrl(deps.config);
  const adminKey = await loadAdminKey(url, deps.env, deps.keychain);
  // A config copied from another machine names a server this ledger has not synced with yet: start at 0.
  if (!getRemote(deps.ledger, url)) upsertRemote(deps.ledger, url, adminKey.kid, deps.clock());
  const timeoutMs = purpose === 'mint'
    ? timeoutFrom(deps.env, 'LICENSE_ADMIN_REMOTE_TIMEOUT_MS', DEFAULT_MINT_TIMEOUT_MS)
    : timeoutFrom(deps.env, 'LICENSE_ADMIN_SYNC_TIMEOUT_MS', DEFAULT_SYNC_TIMEOUT_MS);
  return createRemoteClient({ url, adminKey, clock: deps.clock, timeoutMs });
}
