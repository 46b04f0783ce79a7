// remote add / status / remove: which server this CLI syncs with, and its admin credential.
import type { AppContext } from '../cli/app-context.js';
import { readSecretFile, refuseSecretOnArgv } from '../cli/argv-secrets.js';
import { saveConfig } from '../config/config.js';
import { UserError } from '../errors.js';
import { adminKeychain } from '../keys/keychain.js';
import { adminPublicKey, deleteAdminKey, ensureAdminKey } from '../sync/admin-credential.js';
import { openRemote } from '../sync/open-remote.js';
import { createRemoteClient, normalizeRemoteUrl } from '../sync/remote-client.js';
import { countEventsAfter, getRemote, lastLocalSeq, removeRemote, upsertRemote } from '../sync/sync-state.js';
import { safeText } from '../cli/terminal-text.js';

export interface RemoteAddFlags {
  /** Refused: only here to say why and what to use instead. */
  enrollToken?: string;
  enrollTokenFile?: string;
  mode?: 'remote-first' | 'local';
}

export async function remoteAddCommand(urlInput: string, flags: RemoteAddFlags, app: AppContext): Promise<void> {
  if (flags.enrollToken !== undefined) refuseSecretOnArgv('an enrolment token', 'set LICENSE_ADMIN_ENROLL_TOKEN or pass --enroll-token-file <file> ("-" reads it from stdin)');
  const url = normalizeRemoteUrl(urlInput);
  const config = app.config();
  if (config.remote?.url && config.remote.url !== url) {
    throw new UserError(`a server is already configured (${config.remote.url}); run "license-admin remote remove" first`);
  }
  const { key, storedIn } = await ensureAdminKey(url, app.env, adminKeychain);
  const publicKey = adminPublicKey(key);
  const enrollToken = flags.enrollTokenFile ? await readSecretFile(flags.enrollTokenFile, 'an enrolment token') : app.env.LICENSE_ADMIN_ENROLL_TOKEN;
  if (enrollToken) {
    const client = createRemoteClient({ url, adminKey: null, clock: app.clock, timeoutMs: 15_000 });
    await client.request('POST', '/internal/enroll', { publicKey }, { authorization: `Bearer ${enrollToken}` });
  }
  upsertRemote(await app.ledger(), url, key.kid, app.clock());
  const mode = flags.mode ?? config.remote?.mode ?? 'remote-first';
  saveConfig(app.paths.configFile, { ...config, remote: { url, mode } });
  const trustCommand = `license-admin server trust-admin ${publicKey}`;
  if (app.json) return app.out.json({ url, mode, publicKey, kid: key.kid, keyStoredIn: storedIn, enrolled: Boolean(enrollToken), trustCommand });
  app.out.info(`Server ${url} added (mint mode: ${mode}). Admin key ${publicKey} (id ${key.kid}); its private half is in ${storedIn === 'env' ? 'LICENSE_ADMIN_ADMIN_KEY' : 'the OS keychain'}.`);
  if (enrollToken) app.out.info('The server trusts this admin key now (enrolled).');
  else app.out.info(`Let the server trust this CLI: on the server run\n\n  ${trustCommand}\n`);
  app.out.data(publicKey);
}

export async function remoteStatusCommand(app: AppContext): Promise<void> {
  const config = app.config();
  const ledger = await app.ledger();
  const client = await openRemote({ config, ledger, env: app.env, clock: app.clock, keychain: adminKeychain }, 'sync');
  const state = getRemote(ledger, client.url)!;
  const local = { lastSeq: lastLocalSeq(ledger), unpushed: countEventsAfter(ledger, state.pushCursor), pushCursor: state.pushCursor, lastPushAt: state.lastPushAt };
  let server: Record<string, unknown>;
  try {
    const s = await client.request<{ events: number; lastSeq: number; licenses: number }>('GET', '/sync/status');
    server = { reachable: true, events: s.events, licenses: s.licenses, lastSeq: s.lastSeq, unpulled: Math.max(0, s.lastSeq - state.pullCursor), pullCursor: state.pullCursor, lastPullAt: state.lastPullAt };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    server = { reachable: false, error: error.message, pullCursor: state.pullCursor, lastPullAt: state.lastPullAt };
  }
  const result = { url: client.url, mode: config.remote?.mode ?? 'remote-first', local, server };
  if (app.json) return app.out.json(result);
  app.out.data(`Server: ${client.url} (mint mode: ${safeText(String(result.mode))})`);
  app.out.data(`Local events not yet pushed: ${local.unpushed}${state.lastPushAt ? ` (last push ${state.lastPushAt})` : ' (never pushed)'}`);
  if (server.reachable) app.out.data(`Server events not yet pulled: ${String(server.unpulled)} (server holds ${String(server.licenses)} licenses, ${String(server.events)} events)`);
  else app.out.data(capitalized(safeText(String(server.error))));
}

export async function remoteRemoveCommand(app: AppContext): Promise<void> {
  const config = app.config();
  if (!config.remote?.url) throw new UserError('no server is configured; nothing to remove');
  const url = config.remote.url;
  removeRemote(await app.ledger(), url);
  const { remote: _removed, ...rest } = config;
  saveConfig(app.paths.configFile, rest);
  const keyDeleted = app.env.LICENSE_ADMIN_ADMIN_KEY ? false : await deleteAdminKey(url, adminKeychain).catch(() => false);
  if (app.json) return app.out.json({ removed: url, keyDeleted });
  app.out.info(`Removed ${url}. Local licenses stay; mint now works locally only.`);
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
