// `serve`: build the server from the CLI's config, keys and ledger (or PostgreSQL), listen, re-read
// config.json on SIGHUP, and shut down gracefully on SIGTERM/SIGINT. `server trust-admin`: add an admin
// public key to that store.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../cli/app-context.js';
import { parsePositiveInt } from '../cli/parse-flags.js';
import { loadConfig, type Config } from '../config/config.js';
import { UsageError, UserError } from '../errors.js';
import { createKeychain } from '../keys/keychain.js';
import { resolveSmtpSettings } from '../mail/smtp-settings.js';
import { loadTemplates } from '../mail/template-files.js';
import { parseAdminPublicKey } from '../server/admin-auth.js';
import { createApp, type Handler } from '../server/app.js';
import { gumroadApiFrom } from '../server/fulfilment/gumroad-api.js';
import { DEFAULT_RETRY_POLICY, RETRY_ENV, type RetryPolicy } from '../server/fulfilment/retry-policy.js';
import { createLogger, type Logger } from '../server/logger.js';
import type { MailSender } from '../server/mail-sender.js';
import { openStore } from '../server/open-store.js';
import { createSmtpMailSender } from '../server/smtp-mail-sender.js';

export interface ServeFlags {
  port?: string;
  host?: string;
  adminPort?: string;
  adminHost?: string;
  databaseUrl?: string;
}

export async function serveCommand(flags: ServeFlags, app: AppContext): Promise<void> {
  const port = flags.port !== undefined ? parsePort(flags.port, '--port') : 8787;
  const adminPort = flags.adminPort !== undefined ? parsePort(flags.adminPort, '--admin-port') : null;
  const host = flags.host ?? '127.0.0.1';
  const adminHost = flags.adminHost ?? '127.0.0.1';
  const config = app.config();
  const gumroadApi = checkGumroadApi(app.env);
  const keys = await app.keys();
  const signer = await app.signer();
  const format = await app.format();
  const log = createLogger({ clock: app.clock, level: app.env.LICENSE_ADMIN_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  const store = await openStore({ databaseUrl: flags.databaseUrl, ledgerFile: app.paths.ledgerFile, random: app.random });
  const mail = await mailSender(app, log);
  const server = createApp({
    store, config, env: app.env, clock: app.clock, random: app.random, format, log, mail,
    signer: async () => signer, publicKeys: () => keys.publicKeys(),
    ...(app.env.LICENSE_ADMIN_POLL_MS ? { pollIntervalMs: parsePositiveInt(app.env.LICENSE_ADMIN_POLL_MS, 'LICENSE_ADMIN_POLL_MS') } : {}),
    fulfilmentRetry: retryPolicy(app.env),
  });
  const listeners: Server[] = [];
  try {
    const main = await listen(adminPort === null ? server.handler : server.handlerFor('public'), port, host);
    listeners.push(main);
    const admin = adminPort === null ? null : await listen(server.handlerFor('admin'), adminPort, adminHost);
    if (admin) listeners.push(admin);
    server.start();
    const info = {
      url: urlOf(main),
      adminUrl: admin ? urlOf(admin) : urlOf(main),
      database: store.kind,
      mail: mail !== null,
      pid: process.pid,
    };
    log.info('listening', { url: info.url, adminUrl: info.adminUrl, database: store.kind, mail: info.mail, signingKid: signer.kid, gumroadApiConfirms: gumroadApi });
    if (app.json) app.out.json(info);
    else app.out.info(`license-admin server on ${info.url}${admin ? ` (admin API on ${info.adminUrl})` : ''}, ${store.description.replace(/^postgres:.*/, 'postgresql')}${mail ? '' : ', mail off (no SMTP configured)'}; Ctrl-C stops it`);
  } catch (error) {
    await Promise.all(listeners.map(closeServer));
    await server.close();
    throw error;
  }
  let current = config;
  const reload = () => {
    current = reloadConfig(app.paths.configFile, current, log, (c) => server.reloadConfig(c));
  };
  process.on('SIGHUP', reload);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  process.off('SIGHUP', reload);
  log.info('shutting down', { signal });
  const stopping = listeners.map(closeServer);
  await server.close();
  for (const l of listeners) l.closeAllConnections();
  await Promise.all(stopping);
  log.info('stopped');
}

/** What SIGHUP can change without a restart; the rest is built once at start (signing, mail, templates). */
const NEEDS_RESTART = ['product', 'prefix', 'format', 'keyStorage', 'templatesDir', 'smtp'] as const;

/** Re-reads config.json; a file that does not load leaves the running config as it was. */
function reloadConfig(file: string, running: Config, log: Logger, apply: (c: Config) => void): Config {
  let fresh: Config | null;
  try {
    fresh = loadConfig(file);
    if (!fresh) throw new UserError(`${file} is missing`);
  } catch (error) {
    log.error('config reload failed; keeping the running config', { error: (error as Error).message });
    return running;
  }
  const ignored = NEEDS_RESTART.filter((k) => JSON.stringify((fresh as unknown as Record<string, unknown>)[k]) !== JSON.stringify((running as unknown as Record<string, unknown>)[k]));
  // The settings that need a restart stay as they were, so the running server stays consistent.
  const applied = { ...fresh, ...Object.fromEntries(NEEDS_RESTART.map((k) => [k, running[k as keyof Config]])) } as Config;
  apply(applied);
  log.info('config reloaded', { productMapRules: applied.productMap?.length ?? 0, needsRestart: ignored.join(',') || null });
  return applied;
}

/** Whether Gumroad pings are confirmed through the API; a bad API URL stops serve before it listens. */
function checkGumroadApi(env: AppContext['env']): boolean {
  try {
    return gumroadApiFrom(env) !== null;
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

function retryPolicy(env: AppContext['env']): RetryPolicy {
  const read = (name: string, max: number, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const n = parsePositiveInt(text, name);
    if (n > max) throw new UsageError(`${name} must be at most ${max}, got ${text}`);
    return n;
  };
  return {
    ...DEFAULT_RETRY_POLICY,
    baseMs: read(RETRY_ENV.baseMs, 3_600_000, DEFAULT_RETRY_POLICY.baseMs),
    maxAttempts: read(RETRY_ENV.maxAttempts, 1_000, DEFAULT_RETRY_POLICY.maxAttempts),
  };
}

async function mailSender(app: AppContext, log: Logger): Promise<MailSender | null> {
  const config = app.config();
  let settings;
  try {
    settings = await resolveSmtpSettings({ config, configDir: app.paths.configDir, env: app.env, secrets: createKeychain() });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    log.warn('mail is off', { reason: error.message });
    return null;
  }
  const lease = app.env.LICENSE_ADMIN_OUTBOX_LEASE_MS;
  return createSmtpMailSender({
    settings, templates: loadTemplates(config.templatesDir, app.paths.configDir), config, random: app.random, clock: app.clock, log,
    ...(lease ? { leaseMs: parsePositiveInt(lease, 'LICENSE_ADMIN_OUTBOX_LEASE_MS') } : {}),
  });
}

function listen(handler: Handler, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ keepAliveTimeout: 5_000 }, handler);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new UserError(`port ${port} on ${host} is in use; pick another with --port (or PORT)`) : error);
    });
    server.listen(port, host, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function urlOf(server: Server): string {
  const a = server.address() as AddressInfo;
  return `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

function parsePort(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got "${text}"`);
  return n;
}

export interface TrustAdminFlags {
  label?: string;
  databaseUrl?: string;
}

export async function trustAdminCommand(publicKey: string, flags: TrustAdminFlags, app: AppContext): Promise<void> {
  const key = parseAdminPublicKey(publicKey);
  if (!key) throw new UsageError('<publicKey> must be the base64url raw Ed25519 public key that "license-admin remote add" printed (43 characters)');
  const store = await openStore({ databaseUrl: flags.databaseUrl, ledgerFile: app.paths.ledgerFile, random: app.random });
  try {
    const { created } = await store.addAdminKey(key.x, key.kid, flags.label ?? null, app.clock());
    const result = { publicKey: key.x, kid: key.kid, created, database: store.kind };
    if (app.json) return app.out.json(result);
    app.out.info(created ? `Trusted admin key ${publicKey.trim()} (id ${key.kid}).` : `Admin key ${publicKey.trim()} (id ${key.kid}) was already trusted.`);
  } finally {
    await store.close();
  }
}
