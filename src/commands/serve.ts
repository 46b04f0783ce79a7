// `serve`: build the server from the CLI's config, keys and ledger (or PostgreSQL), listen, re-read
// config.json on SIGHUP, and shut down gracefully on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import type { AppContext } from '../cli/app-context.js';
import { parsePositiveInt } from '../cli/parse-flags.js';
import type { Config } from '../config/config.js';
import { loadFormat } from '../license/load-format.js';
import { UserError } from '../errors.js';
import { createKeychain } from '../keys/keychain.js';
import { resolveSmtpSettings } from '../mail/smtp-settings.js';
import { loadTemplates } from '../mail/template-files.js';
import { createApp } from '../server/app.js';
import { reloadConfig } from '../server/config-reload.js';
import { closeServer, listen, urlOf } from '../server/listen.js';
import { createLogger, type Logger } from '../server/logger.js';
import type { MailSender } from '../server/mail-sender.js';
import { oncePerKey } from '../server/once-per-key.js';
import { openStore } from '../server/open-store.js';
import { createSmtpMailSender } from '../server/smtp-mail-sender.js';
import { chooseSigner } from '../signers/choose-signer.js';
import { signerEnv } from '../signers/signer-config.js';
import { checkSignerAtStart } from '../signers/check-at-start.js';
import { checkGumroadApi, parsePort, retryPolicy } from './serve-env.js';
import { loadPortalPages } from '../portal/pages.js';
import { loadPortalMailTemplates } from '../mail/portal-mail-templates.js';

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
  await checkSignerAtStart(signer, keys, app);
  const format = await app.format();
  const log = createLogger({ clock: app.clock, level: app.env.LICENSE_ADMIN_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  const store = await openStore({ databaseUrl: flags.databaseUrl, ledgerFile: app.paths.ledgerFile, random: app.random });
  const mail = await mailSender(app, log);
  const server = createApp({
    portalPages: loadPortalPages(config.templatesDir, app.paths.configDir),
    store, config, env: app.env, clock: app.clock, random: app.random, format, log, mail,
    signer: async () => signer, publicKeys: () => keys.publicKeys(),
    // Other products (config.products): their own keys and formats, each loaded once.
    signerFor: oncePerKey((kid: string) => kid, (kid) => chooseSigner(keys, signerEnv(app), kid)),
    formatFor: oncePerKey((view: Config) => JSON.stringify([view.product, view.format, view.blobTag]), (view) => loadFormat(view, app.paths.configDir)),
    ...(app.env.LICENSE_ADMIN_POLL_MS ? { pollIntervalMs: parsePositiveInt(app.env.LICENSE_ADMIN_POLL_MS, 'LICENSE_ADMIN_POLL_MS') } : {}),
    fulfilmentRetry: retryPolicy(app.env),
  });
  const listeners: Server[] = [];
  try {
    const main = await listen(adminPort === null ? server.handler : server.handlerFor('public'), port, host);
    listeners.push(main);
    const admin = adminPort === null ? null : await listen(server.handlerFor('admin'), adminPort, adminHost);
    if (admin) listeners.push(admin);
    server.listeningOn(urlOf(main));
    server.start();
    const info = {
      url: urlOf(main),
      adminUrl: admin ? urlOf(admin) : urlOf(main),
      database: store.kind,
      mail: mail !== null,
      pid: process.pid,
    };
    log.info('listening', { url: info.url, adminUrl: info.adminUrl, database: store.kind, mail: info.mail, signingKid: signer.kid, signer: signer.backend, gumroadApiConfirms: gumroadApi });
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
    settings, templates: loadTemplates(config.templatesDir, app.paths.configDir), portalTemplates: loadPortalMailTemplates(config.templatesDir, app.paths.configDir), config, random: app.random, clock: app.clock, log,
    ...(lease ? { leaseMs: parsePositiveInt(lease, 'LICENSE_ADMIN_OUTBOX_LEASE_MS') } : {}),
  });
}
