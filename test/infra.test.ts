// Smoke tests for the test infrastructure itself: if these fail, other failures are probably environmental.
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { cliEnv, tempHome } from './helpers/cli.js';
import { startPostgres } from './helpers/postgres.js';
import { findPythonWithCryptography } from './helpers/python.js';
import { startSmtp, startSmtpOnPort } from './helpers/smtp.js';

const execFileP = promisify(execFile);

function transport(port: number, auth?: { user: string; pass: string }) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, ...(auth ? { auth } : {}) });
}

describe('postgres helper', () => {
  test('starts a throwaway cluster that answers queries, and stop() removes it', async () => {
    const t0 = Date.now();
    const db = await startPostgres();
    const startedMs = Date.now() - t0;
    try {
      expect(db.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/\w+$/);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const r = await client.query<{ one: number; db: string }>('select 1 as one, current_database() as db');
        expect(r.rows).toEqual([{ one: 1, db: 'la_test' }]);
        await client.query('create table t (id int primary key, v text)');
        await client.query('insert into t values (1, $1)', ['héllo']);
        expect((await client.query('select v from t')).rows[0].v).toBe('héllo');
      } finally {
        await client.end();
      }
    } finally {
      await db.stop();
    }
    console.log(`postgres start: ${startedMs} ms`);
    // Stopped: connecting must now fail.
    const client = new pg.Client({ connectionString: db.url, connectionTimeoutMillis: 2000 });
    await expect(client.connect()).rejects.toThrow();
  });
});

describe('smtp helper', () => {
  test('receives and parses a message', async () => {
    const smtp = await startSmtp();
    try {
      await transport(smtp.port).sendMail({
        from: 'Seller <seller@example.test>',
        to: 'buyer@example.test',
        bcc: 'archive@example.test',
        subject: 'Your license',
        text: 'KEY-123',
        attachments: [{ filename: 'license.txt', content: 'LICENSE-DATA' }],
      });
      const [mail] = await smtp.waitFor(1, 5000);
      expect(mail?.subject).toBe('Your license');
      expect(mail?.text?.trim()).toBe('KEY-123');
      expect(mail?.from?.value[0]?.address).toBe('seller@example.test');
      expect(mail?.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['license.txt', 'LICENSE-DATA']]);
      expect(mail?.envelope.rcptTo.sort()).toEqual(['archive@example.test', 'buyer@example.test']);
    } finally {
      await smtp.close();
    }
  });

  test('requires auth when users are given (535 on wrong password) and rejects listed recipients (550)', async () => {
    const smtp = await startSmtp({ users: { alice: 's3cret' }, rejectRecipients: ['Bounce@Example.test'] });
    try {
      await expect(transport(smtp.port, { user: 'alice', pass: 'wrong' }).sendMail({
        from: 'a@example.test', to: 'b@example.test', text: 'x',
      })).rejects.toMatchObject({ responseCode: 535 });
      await expect(transport(smtp.port).sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'x' }))
        .rejects.toThrow();
      await expect(transport(smtp.port, { user: 'alice', pass: 's3cret' }).sendMail({
        from: 'a@example.test', to: 'bounce@example.test', text: 'x',
      })).rejects.toMatchObject({ responseCode: 550 });
      expect(smtp.inbox).toHaveLength(0);
      await transport(smtp.port, { user: 'alice', pass: 's3cret' }).sendMail({
        from: 'a@example.test', to: 'b@example.test', subject: 'ok', text: 'x',
      });
      const [mail] = await smtp.waitFor(1, 5000);
      expect(mail?.subject).toBe('ok');
      expect(mail?.authUser).toBe('alice');
      await expect(smtp.waitFor(2, 200)).rejects.toThrow(/1 message/);
    } finally {
      await smtp.close();
    }
  });

  test('can be restarted on the same port', async () => {
    const first = await startSmtp();
    const port = first.port;
    await first.close();
    await expect(transport(port).sendMail({ from: 'a@example.test', to: 'b@example.test', text: 'x' })).rejects.toThrow();
    const second = await startSmtpOnPort(port);
    try {
      expect(second.port).toBe(port);
      await transport(port).sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'again', text: 'x' });
      expect((await second.waitFor(1, 5000))[0]?.subject).toBe('again');
    } finally {
      await second.close();
    }
  });
});

describe('python helper', () => {
  test('finds a python that can verify Ed25519 with cryptography', async () => {
    const py = await findPythonWithCryptography();
    const { stdout } = await execFileP(py, [
      '-c',
      [
        'from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey',
        'k = Ed25519PrivateKey.generate(); s = k.sign(b"m"); k.public_key().verify(s, b"m"); print(len(s))',
      ].join('\n'),
    ]);
    expect(stdout.trim()).toBe('64');
  });
});

describe('cli helper', () => {
  test('tempHome makes an empty dir and cliEnv isolates HOME but keeps the D-Bus session', async () => {
    const home = await tempHome();
    expect(statSync(home).isDirectory()).toBe(true);
    const env = cliEnv(home, { EXTRA: '1', PATH: undefined });
    expect(env.HOME).toBe(home);
    expect(env.LICENSE_ADMIN_HOME).toBe(join(home, '.license-admin'));
    expect(env.XDG_CONFIG_HOME?.startsWith(home)).toBe(true);
    expect(env.XDG_DATA_HOME?.startsWith(home)).toBe(true);
    expect(env.NO_COLOR).toBe('1');
    expect(env.EXTRA).toBe('1');
    expect('PATH' in env).toBe(false);
    expect(env.VITEST).toBeUndefined();
    expect(env.NODE_ENV).toBeUndefined();
    expect(env.DBUS_SESSION_BUS_ADDRESS).toBe(process.env.DBUS_SESSION_BUS_ADDRESS);
  });
});

// `npm test` (scripts/test.sh, and so CI) runs inside a D-Bus session with an unlocked gnome-keyring.
describe('OS keychain', () => {
  test('@napi-rs/keyring can store, read and delete a secret', () => {
    const require = createRequire(import.meta.url);
    const { Entry } = require('@napi-rs/keyring') as typeof import('@napi-rs/keyring');
    const entry = new Entry('license-admin-infra-test', `probe-${process.pid}`);
    entry.setPassword('p4ss-word');
    try {
      expect(entry.getPassword()).toBe('p4ss-word');
    } finally {
      entry.deletePassword();
    }
    expect(entry.getPassword()).toBeNull();
  });
});

test('node_modules has the packages the helpers rely on', () => {
  for (const p of ['smtp-server', 'mailparser', 'pg', 'execa', 'nodemailer']) {
    expect(existsSync(join(import.meta.dirname, '..', 'node_modules', p)), p).toBe(true);
  }
});
