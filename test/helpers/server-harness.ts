// Builds a real server (createApp on a real store, a real socket on 127.0.0.1, real SMTP) for the server
// tests; the same suite runs on SQLite and on a throwaway PostgreSQL database.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.js';
import { signingKeyFromSeed, type SigningKey } from '../../src/license/ed25519-key.js';
import { createJwsFormat } from '../../src/license/jws-format.js';
import { loadTemplates } from '../../src/mail/template-files.js';
import { createApp, type App } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { openStore } from '../../src/server/open-store.js';
import { createSmtpMailSender } from '../../src/server/smtp-mail-sender.js';
import type { ServerStore } from '../../src/stores/store.js';

export const TEST_CONFIG: Config = { ...DEFAULT_CONFIG, product: 'dashtool', productName: 'DashTool', prefix: 'DT1', keyStorage: 'file' };
export const GUMROAD_TOKEN = 'gumroad-ping-secret-123';
export const SELLER_ID = 'kL0psVL2admJSYRNs-OCMg==';
export const STRIPE_SECRET = 'whsec_test_secret_abc';
export const LEMON_SECRET = 'lemon-signing-secret';

export interface TestServer {
  url: string;
  app: App;
  store: ServerStore;
  signer: SigningKey;
  logLines: string[];
  close(): Promise<void>;
}

let dbCounter = 0;

/** A fresh database in the cluster at `clusterUrl`; returns its URL. */
export async function freshDatabase(clusterUrl: string): Promise<string> {
  const name = `t_${process.pid}_${++dbCounter}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: clusterUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(clusterUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestServerOptions {
  databaseUrl?: string;
  ledgerFile?: string;
  smtpPort?: number;
  env?: Record<string, string>;
  config?: Partial<Config>;
  seed?: Buffer;
  /** Keys of other products (config.products with a signingKid). */
  signerFor?: (kid: string) => Promise<SigningKey>;
}

export async function startTestServer(o: TestServerOptions): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'la-server-'));
  const signer = signingKeyFromSeed(o.seed ?? randomBytes(32));
  const config = { ...TEST_CONFIG, ...o.config };
  const random = (n: number) => randomBytes(n);
  const clock = () => new Date();
  const logLines: string[] = [];
  const log = createLogger({ write: (l) => void logLines.push(l), level: 'debug' });
  const store = await openStore({ databaseUrl: o.databaseUrl, ledgerFile: o.ledgerFile ?? join(dir, 'ledger.sqlite'), random });
  const mail = o.smtpPort
    ? createSmtpMailSender({
        settings: { host: '127.0.0.1', port: o.smtpPort, tls: 'none', from: 'licenses@dashtool.example', origin: 'config' },
        templates: loadTemplates(undefined, dir), config, random, clock, log,
      })
    : null;
  const app = createApp({
    store, config, clock, random, log, mail, format: createJwsFormat(undefined),
    env: { LICENSE_ADMIN_GUMROAD_TOKEN: GUMROAD_TOKEN, LICENSE_ADMIN_GUMROAD_SELLER_ID: SELLER_ID, LICENSE_ADMIN_STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
      LICENSE_ADMIN_LEMONSQUEEZY_SECRET: LEMON_SECRET, LICENSE_ADMIN_DEFAULT_TIER: 'pro', ...o.env },
    signer: async () => signer, publicKeys: () => [signer.publicJwk], pollIntervalMs: 100, maxBodyBytes: 64 * 1024,
    ...(o.signerFor ? { signerFor: o.signerFor } : {}),
  });
  const server: Server = createServer(app.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.listeningOn(url);
  app.start();
  return {
    url, app, store, signer, logLines,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
}

export async function until<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A realistic Gumroad ping body (form-encoded, the fields Gumroad sends). */
export function gumroadPing(saleId: string, overrides: Record<string, string> = {}): string {
  return new URLSearchParams({
    seller_id: SELLER_ID, product_id: '32-nPAicqbLj8B_WswVlMw==', product_name: 'DashTool Pro', permalink: 'dashtool',
    product_permalink: 'https://creator.gumroad.com/l/dashtool', short_product_id: 'dashtool', email: `buyer-${saleId.toLowerCase()}@example.com`,
    price: '4900', currency: 'usd', quantity: '1', order_number: '524459935', sale_id: saleId, sale_timestamp: '2026-11-20T19:38:56Z',
    full_name: 'Ada Lovelace', 'variants[Tier]': 'Pro', refunded: 'false', disputed: 'false', dispute_won: 'false', test: 'false', resource_name: 'sale',
    ...overrides,
  }).toString();
}

export function postGumroad(url: string, body: string, token: string | null = GUMROAD_TOKEN): Promise<Response> {
  return fetch(`${url}/webhooks/gumroad${token === null ? '' : `?token=${encodeURIComponent(token)}`}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body,
  });
}
