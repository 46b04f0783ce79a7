// Renewal reminders: the pure rule (which day's reminder is due) and the server's task on SQLite and
// PostgreSQL: one mail per license and date, however often the task runs, with a link to the portal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LicenseRow } from '../src/ledger/project.js';
import { signingFor } from '../src/server/signing-context.js';
import { dueReminders } from '../src/usecases/reminders.js';
import { renewLicense } from '../src/usecases/renew.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { linksIn } from './helpers/portal-client.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { freshDatabase, gumroadPing, postGumroad, startTestServer, until, type TestServer } from './helpers/server-harness.js';

const DAY = 86_400_000;
const now = new Date('2026-12-03T12:00:00Z');
const row = (key: string, daysLeft: number | null, extra: Partial<LicenseRow> = {}) =>
  ({ licenseKey: key, email: 'a@example.com', product: 'dashtool', expiresAt: daysLeft === null ? null : new Date(now.getTime() + daysLeft * DAY).toISOString(), revokedAt: null, forgottenAt: null, ...extra }) as LicenseRow;

describe('dueReminders', () => {
  it.each([
    ['40 days left: none yet', row('K1', 40), []],
    ['20 days left: the 30-day one', row('K2', 20), [30]],
    ['5 days left: the 7-day one only', row('K3', 5), [7]],
    ['lifetime: never', row('K4', null), []],
    ['revoked: never', row('K5', 5, { revokedAt: '2026-11-01T00:00:00Z' }), []],
    ['forgotten: never', row('K6', 5, { forgottenAt: '2026-11-01T00:00:00Z' }), []],
    ['expired: never', row('K7', -1), []],
  ] as const)('%s', (_what, license, days) => {
    expect(dueReminders([license], now, [30, 7]).map((d) => d.daysBefore)).toEqual(days);
  });

  it('dates the reminder by the expiry, so it is the same key on every replica and every pass', () => {
    const [due] = dueReminders([row('K8', 5)], now, [30, 7]);
    expect(due!.remindOn).toBe(new Date(now.getTime() - 2 * DAY).toISOString().slice(0, 10));
  });
});

let smtp: SmtpInstance;
let pgCluster: PostgresInstance;
beforeAll(async () => {
  smtp = await startSmtp();
  pgCluster = await startPostgres();
});
afterAll(async () => {
  await smtp?.close();
  await pgCluster?.stop();
});

describe.each(['sqlite', 'postgres'] as const)('the reminder task on %s', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      smtpPort: smtp.port, config: { portal: { enabled: true } },
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
    });
  });
  afterAll(async () => s?.close());

  it('mails one reminder with a portal link per license and date, however often it runs', async () => {
    const saleId = `REMIND-${kind}`;
    const email = `buyer-${saleId.toLowerCase()}@example.com`;
    expect((await postGumroad(s.url, gumroadPing(saleId))).status).toBe(200);
    await s.app.drain();
    const license = (await s.store.getByOrderRef(`gumroad:${saleId}`))!;
    const signing = await signingFor(s.app.deps, 'test');
    await s.store.transaction((tx) => renewLicense(tx, license.licenseKey, { until: new Date(Date.now() + 5 * DAY), allowShorter: true }, signing));
    for (let i = 0; i < 3; i++) await s.app.drain();
    const reminders = () => smtp.inbox.filter((m) => m.envelope.rcptTo.includes(email) && m.subject?.includes('ends on'));
    await until(async () => reminders().length === 1, 10_000, 'the reminder');
    await new Promise((r) => setTimeout(r, 300));
    await s.app.drain();
    expect(reminders()).toHaveLength(1);
    expect(linksIn(reminders()[0]!).text).toEqual([`${s.url}/portal`]);
    expect((await s.store.portal.remindersQueued([license.licenseKey])).size).toBe(1);
  });
});
