// The portal on PostgreSQL with two `serve` processes (built binary) sharing one database: a link used on
// one is dead on the other, the sign-in rate limit counts across both, and both running the reminder task
// at once send one reminder per license and date.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../src/config/config.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { localSigner } from '../src/license/signer.js';
import { openStore } from '../src/server/open-store.js';
import { renewLicense } from '../src/usecases/renew.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { linksIn, PortalClient } from './helpers/portal-client.js';
import { setupPortalHome } from './helpers/portal-home.js';
import { freshDatabase, gumroadPing, postGumroad, until } from './helpers/server-harness.js';
import { startServe, type ServeHome, type ServeProcess } from './helpers/serve-process.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';

let pgCluster: PostgresInstance;
let smtp: SmtpInstance;
let home: ServeHome;
let databaseUrl: string;
const running: ServeProcess[] = [];

beforeAll(async () => {
  pgCluster = await startPostgres();
  smtp = await startSmtp();
  databaseUrl = await freshDatabase(pgCluster.url);
  home = await setupPortalHome({ enabled: true }, { LICENSE_ADMIN_TRUSTED_PROXIES: '127.0.0.1' }, smtp.port);
}, 60_000);
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await smtp?.close();
  await pgCluster?.stop();
});

async function two(): Promise<[string, string]> {
  const a = startServe(home, ['--database-url', databaseUrl]);
  const b = startServe(home, ['--database-url', databaseUrl]);
  running.push(a, b);
  return [(await a.ready).url, (await b.ready).url];
}

it('two replicas share links, rate limits and reminders', async () => {
  const [a, b] = await two();
  const email = 'buyer-replica1@example.com';
  expect((await postGumroad(a, gumroadPing('REPLICA1'))).status).toBe(200);
  await until(async () => smtp.inbox.some((m) => m.envelope.rcptTo.includes(email)), 20_000, 'the license mail');

  // A link asked for on A, used on A, is dead on B.
  const onA = new PortalClient(a, '198.51.100.1');
  await onA.submit((await onA.get('/portal')).html, '/portal', { email });
  const mail = await until(async () => smtp.inbox.find((m) => m.envelope.rcptTo.includes(email) && m.subject?.startsWith('Sign in')), 20_000, 'sign-in mail');
  const link = new URL(linksIn(mail).text[0]!);
  const pageA = await onA.get(link.pathname + link.search);
  expect((await onA.submit(pageA.html, '/portal/continue')).res.status).toBe(200);
  const onB = new PortalClient(b, '198.51.100.2');
  const pageB = await onB.get(link.pathname + link.search);
  expect((await onB.submit(pageB.html, '/portal/continue')).res.status).toBe(400);

  // The address's sign-in limit counts on both replicas together (each request from another client IP).
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const c = new PortalClient(i % 2 ? b : a, `203.0.113.${10 + i}`);
    statuses.push((await c.submit((await c.get('/portal')).html, '/portal', { email: 'limited@example.com' })).res.status);
  }
  expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);

  // Reminders: stop both, bring the license near its end, start both at once: one reminder.
  await Promise.all(running.splice(0).map((s) => s.stop()));
  const config = JSON.parse(readFileSync(join(home.home, '.license-admin', 'config.json'), 'utf8')) as Config;
  const store = await openStore({ databaseUrl, ledgerFile: '', random: (n) => new Uint8Array(n).map(() => Math.floor(Math.random() * 256)) });
  const [license] = await store.findByEmail(email);
  const signer = signingKeyFromSeed(Buffer.from(home.env.LICENSE_ADMIN_PRIVATE_KEY!, 'hex'));
  await store.transaction((tx) => renewLicense(tx, license!.licenseKey, { until: new Date(Date.now() + 5 * 86_400_000), allowShorter: true },
    { config, format: createJwsFormat(config.blobTag ?? undefined), clock: () => new Date(), random: (n) => new Uint8Array(n).fill(7), actor: 'test', source: 'cli', signer: localSigner(signer) }));
  await two();
  const reminders = () => smtp.inbox.filter((m) => m.envelope.rcptTo.includes(email) && m.subject?.includes('ends on'));
  await until(async () => reminders().length >= 1, 20_000, 'the reminder');
  await new Promise((r) => setTimeout(r, 1500));
  expect(reminders()).toHaveLength(1);
  const rows = await store.transaction(async () => (await store.portal.remindersQueued([license!.licenseKey])).size);
  expect(rows).toBe(1);
  await store.close();
}, 120_000);
