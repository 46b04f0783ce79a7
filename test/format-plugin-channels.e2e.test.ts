// The other ways a license enters or leaves, with the example DTLIC2 plugin configured: import of an old
// issued.jsonl (verified when the plugin and key agree, kept byte for byte and marked unverified when not),
// resend, and the server's webhook fulfilment. Each checked through the built binary, the Python verifier
// reading what the buyer receives.
import { execFile } from 'node:child_process';
import { createPrivateKey, sign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, spawnCli } from './helpers/cli.js';
import { findPythonWithCryptography } from './helpers/python.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { EXAMPLE_PLUGIN, homeWithExamplePlugin, publicKeyHex, PYTHON_VERIFIER, SEED_HEX } from './format-plugin-fixtures.js';
import { GUMROAD_TOKEN, gumroadPing, postGumroad, SELLER_ID, until } from './helpers/server-harness.js';

const execFileP = promisify(execFile);
let smtp: SmtpInstance;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => smtp.close());

const env = () => ({
  LICENSE_ADMIN_PRIVATE_KEY: SEED_HEX, LICENSE_ADMIN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LICENSE_ADMIN_MAIL_FROM: 'licenses@datatools.test',
  LICENSE_ADMIN_GUMROAD_TOKEN: GUMROAD_TOKEN, LICENSE_ADMIN_GUMROAD_SELLER_ID: SELLER_ID, LICENSE_ADMIN_DEFAULT_TIER: 'pro', LICENSE_ADMIN_POLL_MS: '200',
});

async function pythonAccepts(blob: string): Promise<Record<string, unknown>> {
  const { stdout } = await execFileP(await findPythonWithCryptography(), [PYTHON_VERIFIER, publicKeyHex(), blob]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

const attachmentOf = (to: string) => smtp.inbox.filter((m) => m.envelope.rcptTo.includes(to)).at(-1)?.attachments[0]?.content.toString('utf8').trim();

type Encode = (claims: Record<string, unknown>, signer: { kid: string; sign(b: Uint8Array): Uint8Array }) => string;
async function legacyBlob(sub: string, email: string, seedHex: string): Promise<string> {
  const { encode } = ((await import(EXAMPLE_PLUGIN)) as { default: { encode: Encode } }).default;
  const key = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
  return encode({ v: 1, iss: 'datatools', sub, name: 'Old Buyer', email, tier: 'pro', iat: 1_700_000_000, exp: 2_000_000_000 }, { kid: 'old', sign: (b) => sign(null, b, key) });
}

describe('with the DTLIC2 plugin configured', () => {
  test('import verifies the blobs the plugin and key accept and keeps the others byte for byte, unverified; resend mails the DTLIC2 blob', async () => {
    const home = await homeWithExamplePlugin(env());
    const good = await legacyBlob('DT1-PRO-ab12-cd34', 'old@example.com', SEED_HEX);
    const foreign = await legacyBlob('DT1-PRO-ef56-gh78', 'other@example.com', 'ab'.repeat(32));
    const log = [
      { license_key: 'DT1-PRO-ab12-cd34', name: 'Old Buyer', email: 'old@example.com', tier: 'pro', issued_at: '2023-11-14', expires_at: '2033-05-18', blob: good },
      { license_key: 'DT1-PRO-ef56-gh78', name: 'Old Buyer', email: 'other@example.com', tier: 'pro', issued_at: '2023-11-14', expires_at: '2033-05-18', blob: foreign },
    ];
    writeFileSync(join(home, 'issued.jsonl'), log.map((r) => JSON.stringify(r)).join('\n'));
    const imported = await runCli(['import', join(home, 'issued.jsonl'), '--json'], { home, env: env() });
    expect(imported.exitCode, imported.stderr).toBe(0);

    const kept = await runCli(['show', 'DT1-PRO-ab12-cd34', '--json'], { home, env: env() });
    expect(kept.json()).toMatchObject({ blob: good, format: 'dtlic2', verified: true });
    const unverified = await runCli(['show', 'DT1-PRO-ef56-gh78', '--json'], { home, env: env() });
    expect(unverified.json()).toMatchObject({ blob: foreign, verified: false });
    expect((await runCli(['show', 'DT1-PRO-ef56-gh78'], { home, env: env() })).stdout).toContain('(unverified legacy blob)');

    const resent = await runCli(['resend', 'old@example.com', '--json'], { home, env: env() });
    expect(resent.exitCode, resent.stderr).toBe(0);
    await until(async () => attachmentOf('old@example.com'), 10_000, 'the resent mail');
    expect(attachmentOf('old@example.com')).toBe(good);
    expect(await pythonAccepts(good)).toMatchObject({ license_key: 'DT1-PRO-ab12-cd34' });
  });

  test("the server's webhook fulfilment mints in DTLIC2 and mails that blob", async () => {
    const home = await homeWithExamplePlugin(env());
    const child = spawnCli(['serve', '--port', '0', '--json'], { home, env: env(), timeoutMs: 60_000 });
    try {
      let out = '';
      const { url } = await new Promise<{ url: string }>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          try {
            resolve(JSON.parse(out) as { url: string });
          } catch {
            /* not complete yet */
          }
        });
        void child.then((r) => reject(new Error(`serve exited early (${r.exitCode}): ${String(r.stderr)}`)));
      });
      const reply = await postGumroad(url, gumroadPing('PLUGIN-SALE-1'));
      expect(reply.status).toBe(200);
      const blob = await until(async () => attachmentOf('buyer-plugin-sale-1@example.com'), 20_000, 'the license mail');
      expect(blob).toMatch(/^DTLIC2:/);
      expect(await pythonAccepts(blob)).toMatchObject({ email: 'buyer-plugin-sale-1@example.com', product: 'datatools' });
    } finally {
      child.kill('SIGTERM');
      await child.catch(() => undefined);
    }
    const listed = await runCli(['list', '--json'], { home, env: env() });
    const rows = listed.json();
    const row = (Array.isArray(rows) ? rows : rows.licenses).find((l: any) => l.email === 'buyer-plugin-sale-1@example.com');
    expect(row).toMatchObject({ format: 'dtlic2', verified: true });
  });
});
