// `import <gumroad csv>` through the built binary: nothing importable is a failure (exit 1), --mint-missing says
// how many licenses it would mint already expired and --from now counts from today, --send mails what it
// minted through the outbox (real SMTP on 127.0.0.1), and sales match licenses by canonical order ref.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { FIXTURES, initHome, PRODUCT_MAP } from './import-fixture-setup.js';

const SALES = join(FIXTURES, 'gumroad-sales.csv');
const LEGACY = join(FIXTURES, 'legacy-quirks.jsonl');
type Row = Record<string, unknown>;

async function seeded() {
  const h = await initHome();
  h.setProductMap(PRODUCT_MAP);
  expect((await h.cli(['import', LEGACY])).exitCode).toBe(0);
  return h;
}

/** The real export with every Purchase Date replaced by something that is not a date. */
function everyRowBroken(home: string): string {
  const file = join(home, 'broken-sales.csv');
  const text = readFileSync(SALES, 'utf8').replace(/,\d{4}-\d{2}-\d{2},\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+0000,/g, ',someday,,');
  writeFileSync(file, text);
  return file;
}

describe('an import that finds rows but can import none of them', () => {
  test('fails with exit 1 and says so, in words and in --json; nothing is written', async () => {
    const h = await seeded();
    const file = everyRowBroken(h.home);
    const events = h.count('events');
    const human = await h.cli(['import', file, '--mint-missing']);
    expect(human.exitCode).toBe(1);
    expect(human.stderr).toContain('error: none of the 15 row(s) could be imported: 14 invalid, 1 skipped; the first:');
    expect(human.stderr).toContain(':2: "Purchase Date" is not a date: "someday"');
    const json = await h.cli(['import', file, '--json']);
    expect(json.exitCode).toBe(1);
    const report = json.json();
    expect(report.counts).toMatchObject({ new: 0, present: 0, invalid: 14, skipped: 1 });
    expect(report.error).toEqual({ code: 'nothing_importable', message: expect.stringContaining('none of the 15 row(s) could be imported') });
    const reconcile = await h.cli(['reconcile', file, '--json']);
    expect(reconcile.exitCode).toBe(1);
    expect(reconcile.json().error.code).toBe('nothing_importable');
    expect(h.count('events')).toBe(events);
  });

  test('what a broken cell holds is shown escaped, never sent to the terminal as is', async () => {
    const h = await seeded();
    const file = join(h.home, 'escape.csv');
    writeFileSync(file, 'Purchase ID,Purchase Email,Purchase Date\nx1,a@example.com,\u001b[2J\u001b[31mred\n');
    const r = await h.cli(['import', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('"Purchase Date" is not a date: "\\u{1b}[2J\\u{1b}[31mred"');
    expect(r.stderr).not.toContain('\u001b');
  });

  test('--mint-missing with not one sale mapped to a tier mints nothing: exit 1 naming the mapping, not "already has all of it"', async () => {
    const h = await initHome();
    const human = await h.cli(['import', SALES, '--mint-missing']);
    expect(human.exitCode).toBe(1);
    expect(human.stderr).toContain('error: none of the 15 row(s) could be imported: 8 with no tier mapping, 7 skipped; the first:');
    expect(human.stderr).toContain(':2: no productMap entry for "Data Tools" with variant "Pro" and LICENSE_ADMIN_DEFAULT_TIER is not set');
    expect(human.stderr).not.toContain('((Pro))');
    expect(human.stderr).not.toContain('already has all of it');
    const json = await h.cli(['import', SALES, '--mint-missing', '--json']);
    expect(json.exitCode).toBe(1);
    expect(json.json().error).toEqual({ code: 'nothing_importable', message: expect.stringContaining('8 with no tier mapping') });
    expect(h.count('licenses')).toBe(0);
  });

  test('a log whose every row conflicts with the ledger imports nothing: exit 1 with the first conflict', async () => {
    const h = await seeded();
    const file = join(h.home, 'renamed.jsonl');
    const rows = readFileSync(LEGACY, 'utf8').split('\r\n').filter((l) => l.trim().startsWith('{'))
      .map((l) => { try { return JSON.parse(l.replace(/^\uFEFF/, '')) as Row; } catch { return null; } })
      .filter((r): r is Row => r !== null && typeof r.email === 'string' && r.email !== '' && r.issued_at !== 'last tuesday');
    writeFileSync(file, rows.map((r) => JSON.stringify({ ...r, email: `new-${String(r.email)}` })).join('\n'));
    const r = await h.cli(['import', file, '--json']);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.json().counts).toMatchObject({ new: 0, present: 0 });
    expect(r.json().error.message).toMatch(/^none of the \d+ row\(s\) could be imported: \d+ conflicting with the ledger/);
    expect(r.stderr).toContain('differs from the ledger (email)');
  });

  test('a run that writes nothing says which flag would have acted, not that the ledger has it all', async () => {
    const h = await seeded();
    const r = await h.cli(['import', SALES]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('Nothing written: 5 sale(s) have no license (--mint-missing mints them); 1 sale(s) have no tier mapping (see above); 2 refunded sale(s) have an active license (--revoke-refunded revokes them).');
    expect(r.stderr).not.toContain('already has all of it');
  });

  test('an import where every row is already in the ledger is still a success', async () => {
    const h = await seeded();
    const again = await h.cli(['import', LEGACY, '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.json().error).toBeUndefined();
  });
});

describe('--mint-missing and licenses whose default duration is already over', () => {
  test('says how many would be minted already expired and offers --from now', async () => {
    const h = await seeded();
    const dry = await h.cli(['import', SALES, '--mint-missing', '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stderr).toContain('1 of these 5 would be minted already expired (the duration counts from the purchase date). Add --from now to count it from today instead.');
    const json = (await h.cli(['import', SALES, '--mint-missing', '--dry-run', '--json'])).json();
    expect(json.sales.alreadyExpired).toBe(1);
    expect(json.sales.missing.find((m: Row) => m.email === 'olga@example.com')).toMatchObject({ expiresAt: '2024-06-01T15:45:00.000Z', expired: true });
  });

  test('--from now counts the expiry from today; the license keeps the purchase as its issue date', async () => {
    const h = await seeded();
    const r = await h.cli(['import', SALES, '--mint-missing', '--from', 'now', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.sales.alreadyExpired).toBe(0);
    expect(report.sales.minted.find((m: Row) => m.email === 'olga@example.com')).toMatchObject({ expiresAt: '2026-01-15T00:00:00.000Z' });
    expect(report.sales.minted.find((m: Row) => m.email === 'frank@example.com')).toMatchObject({ expiresAt: '2027-01-15T00:00:00.000Z' });
    const olga = (await h.cli(['show', 'olga@example.com', '--json'])).json()[0];
    expect(olga).toMatchObject({ issuedAt: '2023-06-01T15:45:00.000Z', expiresAt: '2026-01-15T00:00:00.000Z', status: 'active' });
    expect((await h.cli(['verify', olga.blob, '--json'])).json().valid).toBe(true);
  });

  test('--from and --send need --mint-missing; --from takes purchase or now', async () => {
    const h = await seeded();
    for (const args of [['--from', 'now'], ['--send']]) {
      const r = await h.cli(['import', SALES, ...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('add --mint-missing');
    }
    expect((await h.cli(['import', SALES, '--mint-missing', '--from', 'yesterday'])).exitCode).toBe(2);
  });
});

describe('import --mint-missing --send', () => {
  let smtp: SmtpInstance;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });
  const mailEnv = () => ({ LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LICENSE_ADMIN_MAIL_FROM: 'DataTools <licenses@datatools.test>' });

  test('mails each license it minted (not the one minted already expired), queued in the same transaction', async () => {
    const h = await seeded();
    const before = smtp.inbox.length;
    const r = await h.cli(['import', SALES, '--mint-missing', '--send', '--json'], mailEnv());
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.sales.minted).toHaveLength(5);
    expect(report.mail).toMatchObject({ queued: 4, sent: 4, pending: 0, failed: 0, notMailed: [{ email: 'olga@example.com', reason: 'already expired on 2024-06-01' }] });
    const inbox = await smtp.waitFor(before + 4);
    const recipients = inbox.slice(before).map((m) => m.envelope.rcptTo[0]).sort();
    expect(recipients).toEqual(['frank@example.com', 'hank@example.com', 'quinn@example.com', 'sam@example.com']);
    const frank = (await h.cli(['show', 'frank@example.com', '--json'])).json()[0];
    const mailFor = inbox.slice(before).find((m) => m.envelope.rcptTo[0] === 'frank@example.com')!;
    expect(mailFor.attachments[0]!.content.toString('utf8').trim()).toBe(frank.blob);
    // Running it again mints nothing and mails nothing.
    const again = await h.cli(['import', SALES, '--mint-missing', '--send', '--json'], mailEnv());
    expect(again.json()).toMatchObject({ sales: { minted: [] } });
    expect(again.json().mail).toBeUndefined();
    expect(smtp.inbox.length).toBe(before + 4);
  });

  test('killed right after the commit: every minted license has its message in the outbox, and "outbox retry" sends them', async () => {
    const h = await seeded();
    const before = smtp.inbox.length;
    const crashed = await h.cli(['import', SALES, '--mint-missing', '--send', '--json'], { ...mailEnv(), LICENSE_ADMIN_TEST_CRASH_AFTER_COMMIT: '1' });
    expect(crashed.signal).toBe('SIGKILL');
    const outbox = (await h.cli(['outbox', '--json'], mailEnv())).json();
    expect(outbox.messages.map((m: Row) => [m.to, m.status]).sort()).toEqual([
      ['frank@example.com', 'pending'], ['hank@example.com', 'pending'], ['quinn@example.com', 'pending'], ['sam@example.com', 'pending'],
    ]);
    expect((await h.cli(['show', 'frank@example.com', '--json'])).json()[0].events.map((e: Row) => e.type)).toEqual(['minted', 'mail_queued']);
    expect((await h.cli(['outbox', 'retry', '--json'], mailEnv())).json()).toMatchObject({ sent: 4 });
    await smtp.waitFor(before + 4);
  });

  test('with no SMTP configured, --send fails before anything is minted', async () => {
    const h = await seeded();
    const licenses = h.count('licenses');
    const r = await h.cli(['import', SALES, '--mint-missing', '--send']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no SMTP server configured/);
    expect(h.count('licenses')).toBe(licenses);
  });
});

describe('sales match licenses by canonical order ref (a bare Purchase ID X is gumroad:X)', () => {
  test('a license from a log in the same run whose order_ref is gumroad:<Purchase ID> is that sale, not a sale without a license', async () => {
    const h = await initHome();
    h.setProductMap(PRODUCT_MAP);
    const alice = JSON.parse(readFileSync(LEGACY, 'utf8').replace(/^\uFEFF/, '').split('\r\n')[0]!) as Row;
    const log = join(h.home, 'with-order.jsonl');
    // Another email, so only the order can tie the two together.
    writeFileSync(log, `${JSON.stringify({ ...alice, email: 'alice.old@example.com', order_ref: 'gumroad:JuvYKFPvkFr0_HoPk9rDtw==' })}\n`);
    const r = await h.cli(['import', log, SALES, '--dry-run', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json();
    expect(report.sales.missing.map((m: Row) => m.purchaseId)).not.toContain('JuvYKFPvkFr0_HoPk9rDtw==');
    expect(report.conflicts).toEqual([expect.objectContaining({ line: 2, licenseKey: 'DT1-PRO-ab12-cd34', fields: [{ field: 'email', ledger: 'alice.old@example.com', file: 'alice@example.com' }] })]);
  });
});
