// The SQLite outbox and the delivery worker, against real SQLite files and a real SMTP server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Ledger } from '../src/ledger/ledger.js';
import { deliverDue } from '../src/mail/deliver.js';
import { MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS, type NewOutboxMessage } from '../src/mail/outbox.js';
import type { SmtpSettings } from '../src/mail/smtp-settings.js';
import { SqliteOutbox } from '../src/mail/sqlite-outbox.js';
import { createSmtpTransport } from '../src/mail/transport.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const dirs: string[] = [];
let ledger: Ledger;
let outbox: SqliteOutbox;
let file: string;

const message = (key: string, over: Partial<NewOutboxMessage> = {}): NewOutboxMessage => ({
  idempotencyKey: `mint:${key}`, kind: 'license', to: 'jane@example.com', subject: 'Your license', text: `key ${key}`, html: `<p>key ${key}</p>`,
  attachments: [{ filename: `${key}.lic`, content: 'BLOB\n', contentType: 'application/octet-stream' }],
  messageId: `<${key}@example.com>`, licenseKeys: [key], createdAt: T0, ...over,
});
const open = () => new SqliteOutbox(new Ledger(file), { random: randomBytes, actor: 'test', source: 'cli' });
const mailEvents = (key: string) => ledger.eventsFor(key).filter((e) => e.type.startsWith('mail_')).map((e) => ({ type: e.type, data: e.data }));

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'la-outbox-'));
  dirs.push(dir);
  file = join(dir, 'ledger.sqlite');
  ledger = new Ledger(file);
  outbox = new SqliteOutbox(ledger, { random: randomBytes, actor: 'test', source: 'cli' });
});
afterEach(() => ledger.close());
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('SqliteOutbox', () => {
  test('enqueue is idempotent per key and records mail_queued once', () => {
    const first = outbox.enqueue(message('K1'));
    const again = outbox.enqueue(message('K1', { text: 'different' }));
    expect(first).toEqual({ id: 1, messageId: '<K1@example.com>', created: true });
    expect(again).toEqual({ id: 1, messageId: '<K1@example.com>', created: false });
    expect(outbox.get(1)).toMatchObject({ status: 'pending', attempts: 0, text: 'key K1', nextAttemptAt: T0.toISOString(), licenseKeys: ['K1'] });
    expect(mailEvents('K1')).toEqual([{ type: 'mail_queued', data: { messageId: '<K1@example.com>', outboxId: 1, to: 'jane@example.com' } }]);
  });

  test('enqueue inside a transaction that throws leaves nothing behind', () => {
    expect(() => ledger.transaction(() => {
      outbox.enqueue(message('K1'));
      throw new Error('mint failed');
    })).toThrow('mint failed');
    expect(outbox.list({ statuses: ['pending', 'sending', 'sent', 'failed', 'cancelled'] })).toEqual([]);
    expect(ledger.eventsFor('K1')).toEqual([]);
  });

  test('claim takes due rows once; a second claimer (another connection) gets the rest, never the same row', () => {
    for (const k of ['A', 'B', 'C']) outbox.enqueue(message(k));
    outbox.enqueue(message('LATER', { createdAt: at(3_600_000) }));
    const other = open();
    const mine = outbox.claimDue(at(1000), 2);
    const theirs = other.claimDue(at(1000), 10);
    expect(mine.map((m) => m.licenseKeys[0])).toEqual(['A', 'B']);
    expect(theirs.map((m) => m.licenseKeys[0])).toEqual(['C']);
    expect(mine[0]).toMatchObject({ status: 'sending', attempts: 1, claimedUntil: at(1000 + 300_000).toISOString() });
    expect(outbox.claimDue(at(2000), 10)).toEqual([]);
  });

  test('an expired lease (a crash after claiming) is claimed again; sent rows never are', () => {
    outbox.enqueue(message('A'));
    outbox.enqueue(message('B'));
    const [a, b] = outbox.claimDue(T0, 10, { leaseMs: 60_000 });
    expect(outbox.markSent(a!.id, { at: at(1), response: '250 ok' })).toBe(true);
    expect(outbox.markSent(a!.id, { at: at(2), response: '250 ok' })).toBe(false);
    expect(outbox.claimDue(at(59_000), 10)).toEqual([]);
    const reclaimed = outbox.claimDue(at(60_000), 10, { all: true });
    expect(reclaimed.map((m) => [m.id, m.attempts])).toEqual([[b!.id, 2]]);
    expect(outbox.claimDue(at(10 * 60_000), 10, { ids: [a!.id], all: true })).toEqual([]);
    expect(outbox.get(a!.id)).toMatchObject({ status: 'sent', sentAt: at(1).toISOString(), smtpResponse: '250 ok', text: '', html: null, attachments: [] });
    expect(mailEvents('A').map((e) => e.type)).toEqual(['mail_queued', 'mail_sent']);
  });

  test('a failure keeps the message with its error and schedules the retry; give-up is still retryable by hand', () => {
    outbox.enqueue(message('A'));
    const [a] = outbox.claimDue(T0, 10);
    outbox.markFailed(a!.id, { at: T0, error: 'auth: refused', retryAt: at(60_000) });
    expect(outbox.get(a!.id)).toMatchObject({ status: 'pending', lastError: 'auth: refused', nextAttemptAt: at(60_000).toISOString(), claimedUntil: null });
    expect(outbox.claimDue(at(59_999), 10)).toEqual([]);
    const [again] = outbox.claimDue(at(60_000), 10);
    outbox.markFailed(again!.id, { at: at(60_000), error: 'recipient: 550', retryAt: null });
    expect(outbox.get(a!.id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect(outbox.claimDue(at(999_999_999), 10)).toEqual([]);
    expect(outbox.claimDue(at(60_001), 10, { ids: [a!.id] }).map((m) => m.id)).toEqual([a!.id]);
  });

  test('list shows what is not yet sent, oldest first', () => {
    outbox.enqueue(message('A'));
    outbox.enqueue(message('B'));
    const [a] = outbox.claimDue(T0, 1);
    outbox.markSent(a!.id, { at: T0, response: '250' });
    expect(outbox.list().map((m) => m.licenseKeys[0])).toEqual(['B']);
    expect(outbox.list({ statuses: ['sent'] }).map((m) => m.licenseKeys[0])).toEqual(['A']);
  });

  test('forgetting the person cancels and blanks their unsent mail and scrubs the event address', () => {
    outbox.enqueue(message('A'));
    ledger.applyEvents([{ id: 'f1', licenseKey: 'A', type: 'forgotten', at: T0.toISOString(), actor: 't', source: 'cli', data: {} }]);
    expect(outbox.get(1)).toMatchObject({ status: 'cancelled', to: '', text: '', html: null, attachments: [], lastError: 'cancelled: the recipient was forgotten' });
    expect(outbox.claimDue(at(1), 10, { all: true })).toEqual([]);
  });
});

describe('retry schedule', () => {
  test.each([
    [1, RETRY_DELAYS_MS[0]],
    [2, RETRY_DELAYS_MS[1]],
    [MAX_ATTEMPTS - 1, RETRY_DELAYS_MS[RETRY_DELAYS_MS.length - 1]],
  ])('after attempt %i the next try is %i ms later', (attempts, delay) => {
    expect(nextAttemptAt(attempts, T0)?.getTime()).toBe(T0.getTime() + delay!);
  });
  test('gives up after the last attempt, or at once for a permanent error', () => {
    expect(nextAttemptAt(MAX_ATTEMPTS, T0)).toBeNull();
    expect(nextAttemptAt(1, T0, true)).toBeNull();
  });
});

describe('deliverDue through a real SMTP server', () => {
  let smtp: SmtpInstance;
  const settings = (over: Partial<SmtpSettings> = {}): SmtpSettings =>
    ({ host: '127.0.0.1', port: smtp.port, tls: 'none', user: 'shop', password: 'right-pass', from: 'Shop <licenses@shop.example>', origin: 'config', ...over });
  beforeEach(async () => {
    smtp = await startSmtp({ users: { shop: 'right-pass' }, rejectRecipients: ['gone@example.com'] });
  });
  afterEach(() => smtp.close());

  test('sends due messages once each, with the stored Message-ID, body and attachment; records mail_sent', async () => {
    outbox.enqueue(message('A'));
    outbox.enqueue(message('B', { to: 'bob@example.com' }));
    const transport = createSmtpTransport(settings());
    const results = await deliverDue(outbox, transport, () => at(1000), { concurrency: 2 });
    const again = await deliverDue(outbox, transport, () => at(999_999_999), { all: true });
    transport.close();
    expect(results.map((r) => [r.licenseKeys[0], r.status])).toEqual([['A', 'sent'], ['B', 'sent']]);
    expect(again).toEqual([]);
    const inbox = await smtp.waitFor(2);
    expect(inbox).toHaveLength(2);
    const a = inbox.find((m) => m.envelope.rcptTo[0] === 'jane@example.com')!;
    expect(a.messageId).toBe('<A@example.com>');
    expect(a.subject).toBe('Your license');
    expect(a.text?.trim()).toBe('key A');
    expect(a.html).toContain('<p>key A</p>');
    expect(a.attachments.map((x) => [x.filename, x.content.toString()])).toEqual([['A.lic', 'BLOB\n']]);
    expect(a.authUser).toBe('shop');
    expect(mailEvents('A').map((e) => e.type)).toEqual(['mail_queued', 'mail_sent']);
  });

  test('a refused login keeps the message pending with a clear, password-free error', async () => {
    outbox.enqueue(message('A'));
    const transport = createSmtpTransport(settings({ password: 'wrong-pass-XYZ' }));
    const [r] = await deliverDue(outbox, transport, () => T0);
    transport.close();
    expect(r).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(60_000).toISOString() });
    expect(r!.failure).toMatchObject({ kind: 'auth', responseCode: 535, permanent: false });
    const row = outbox.get(1)!;
    expect(row.status).toBe('pending');
    expect(row.lastError).toMatch(/refused the login for user "shop" \(535\)/);
    expect(row.lastError).not.toContain('wrong-pass-XYZ');
    expect(smtp.inbox).toHaveLength(0);
  });

  test('a rejected recipient (550) fails at once: retrying cannot help', async () => {
    outbox.enqueue(message('A', { to: 'gone@example.com' }));
    const transport = createSmtpTransport(settings());
    const [r] = await deliverDue(outbox, transport, () => T0);
    transport.close();
    expect(r).toMatchObject({ status: 'failed', nextAttemptAt: null, failure: { kind: 'recipient', responseCode: 550, permanent: true } });
    expect(outbox.get(1)!.status).toBe('failed');
  });

  test('server down: pending with a "connection refused" error; server back: delivered exactly once', async () => {
    outbox.enqueue(message('A'));
    const port = smtp.port;
    await smtp.close();
    const down = createSmtpTransport(settings({ port }));
    const [r] = await deliverDue(outbox, down, () => T0);
    down.close();
    expect(r).toMatchObject({ status: 'pending', failure: { kind: 'refused' } });
    smtp = await startSmtp({ users: { shop: 'right-pass' } });
    const up = createSmtpTransport(settings());
    const early = await deliverDue(outbox, up, () => at(30_000));
    const due = await deliverDue(outbox, up, () => at(60_000));
    const later = await deliverDue(outbox, up, () => at(3_600_000), { all: true });
    up.close();
    expect([early.length, due.map((d) => d.status), later.length]).toEqual([0, ['sent'], 0]);
    await smtp.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.inbox).toHaveLength(1);
  });
});
