// `export --events` is the backup format: importing it into a fresh home gives back every license WITH its
// history (revocations, reinstatements, renewals, notes, mail events), and syncing the restored home with
// the original server adds nothing: no duplicate notes, no phantom events, no updatedAt moving back.
// Real binaries: the CLI, `license-admin serve` on home A's own ledger, a real SMTP server.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { initHome, LICENSE_SEED, newAdminIdentity, startServer, type RunningServer } from './helpers/sync-server.js';

const admin = newAdminIdentity();
let smtp: SmtpInstance;
let server: RunningServer | undefined;
let env: Record<string, string>;

beforeAll(async () => {
  smtp = await startSmtp();
  env = { LICENSE_ADMIN_PRIVATE_KEY: LICENSE_SEED, LICENSE_ADMIN_ADMIN_KEY: admin.seed, LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LICENSE_ADMIN_MAIL_FROM: 'licenses@datatools.test' };
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

const ok = async (home: string, args: string[]) => {
  const r = await runCli(args, { home, env });
  expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r;
};
const showAll = async (home: string, keys: string[]) => Promise.all(keys.map(async (k) => (await ok(home, ['show', k, '--json'])).json()));

describe('export --events → import → sync', () => {
  it('keeps the whole history, and a sync with the original server changes nothing', async () => {
    const a = await initHome(env);
    const jane = (await ok(a, ['mint', '--tier', 'pro', '--email', 'jane@example.com', '--name', 'Jane Doe', '--seats', '3', '--order-id', 'GR-1', '--send', '--json'])).json();
    const bob = (await ok(a, ['mint', '--tier', 'core', '--email', 'bob@example.com', '--note', 'comp copy', '--json'])).json();
    await ok(a, ['revoke', jane.licenseKey, '--reason', 'chargeback']);
    await ok(a, ['reinstate', jane.licenseKey]);
    await ok(a, ['renew', jane.licenseKey, '--years', '2']);
    await ok(a, ['note', jane.licenseKey, 'asked for an invoice\nsecond line']);
    await ok(a, ['resend', jane.licenseKey]);
    await ok(a, ['revoke', bob.licenseKey, '--reason', 'refund']);
    await smtp.waitFor(2);
    const keys = [jane.licenseKey, bob.licenseKey];
    const original = await showAll(a, keys);
    expect(original[0].events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['minted', 'revoked', 'reinstated', 'renewed', 'note_added', 'mail_queued', 'mail_sent']));

    const file = join(a, 'ledger-events.jsonl');
    const exported = await ok(a, ['export', '--events', '-o', file]);
    expect(exported.stderr).toMatch(/Exported \d+ event\(s\) of 2 license\(s\)/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: 'license-admin-events', version: 1, licenses: 2, events: lines.length - 1, product: 'datatools' });

    const b = await initHome(env);
    const imported = await ok(b, ['import', file, '--json']);
    expect(imported.json()).toMatchObject({ format: 'events', version: 1, events: lines.length - 1, inserted: lines.length - 1, duplicates: 0, licenses: 2 });
    expect(await showAll(b, keys)).toEqual(original);
    expect((await ok(b, ['import', file, '--json'])).json()).toMatchObject({ inserted: 0, duplicates: lines.length - 1 });

    server = await startServer({ adminKeys: [admin.publicKey], home: a });
    await ok(b, ['remote', 'add', server.url]);
    const sync = (await ok(b, ['sync', '--json'])).json();
    expect(sync).toMatchObject({ pull: { inserted: 0 }, push: { inserted: 0 }, contested: [] });
    expect(sync.pull.received).toBe(lines.length - 1);
    expect(await showAll(b, keys)).toEqual(original);
    expect(await showAll(server.home, keys)).toEqual(original);
    const notes = (await showAll(b, keys))[0].notes as string;
    expect(notes.match(/asked for an invoice/g)).toHaveLength(1);
  });

  it('a bad line names file:line and writes nothing; a newer format is refused; --dry-run writes nothing', async () => {
    const a = await initHome(env);
    await ok(a, ['mint', '--tier', 'pro', '--email', 'x@example.com']);
    const file = join(a, 'events.jsonl');
    await ok(a, ['export', '--events', '-o', file]);
    const good = readFileSync(file, 'utf8');
    const b = await initHome(env);

    const dry = await ok(b, ['import', file, '--dry-run', '--json']);
    expect(dry.json()).toMatchObject({ dryRun: true, inserted: 1 });
    expect((await ok(b, ['list', '--json'])).json()).toEqual([]);

    const broken = join(a, 'broken.jsonl');
    writeFileSync(broken, `${good}{"id":"x","licenseKey":"DT1-PRO-AAAA","type":"renewed","at":"yesterday","actor":"a","source":"s","data":{}}\n`);
    const bad = await runCli(['import', broken], { home: b, env });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(`${broken}:3: the event.at must be an ISO 8601 instant; nothing was imported`);
    expect((await ok(b, ['list', '--json'])).json()).toEqual([]);

    const newer = join(a, 'newer.jsonl');
    writeFileSync(newer, good.replace('"version":1', '"version":99'));
    const refused = await runCli(['import', newer], { home: b, env });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/newer\.jsonl:1: written by a newer license-admin \(events format 99/);

    const mixed = await runCli(['import', file, broken.replace('broken', 'other')], { home: b, env });
    expect(mixed.exitCode).not.toBe(0);
  });
});
