// verify as support uses it: what the ledger knows beside what the blob says (exit 3 for a revoked license
// with a good signature), no false "renewed since this blob" from the ledger's milliseconds, and a tampered
// blob still shows whose it claims to be, marked untrusted. The built binary, a temp HOME.
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, tempHome } from './helpers/cli.js';

const env = { LICENSE_ADMIN_PRIVATE_KEY: '3c'.repeat(32), LICENSE_ADMIN_NOW: '2026-11-25T12:00:00.123Z' };
let home: string;
const cli = (args: string[], input?: string) => runCli(args, { home, env, ...(input !== undefined ? { input } : {}) });

beforeAll(async () => {
  home = await tempHome();
  expect((await runCli(['init', '--yes', '--product', 'verifyco', '--prefix', 'VC1'], { home, env })).exitCode).toBe(0);
});

async function mint(email: string) {
  const r = await cli(['mint', '--tier', 'pro', '--email', email, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return r.json<{ licenseKey: string; blob: string }>();
}

/** The same blob with one claim changed: the signature no longer covers it. */
function tampered(blob: string, change: Record<string, unknown>): string {
  const [tag, jws] = blob.includes(':') ? [blob.slice(0, blob.indexOf(':') + 1), blob.slice(blob.indexOf(':') + 1)] : ['', blob];
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const claims = { ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), ...change };
  return `${tag}${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

describe('verify against the ledger', () => {
  test('a fresh license minted at a time with milliseconds is not "renewed since this blob"', async () => {
    const { blob } = await mint('fresh@example.com');
    const r = await cli(['verify', blob]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^VALID$/m);
    expect(r.stdout).toMatch(/Ledger\s+active$/m);
    expect(r.stdout).not.toContain('renewed since this blob');
  });

  test('a good signature on a license the ledger has revoked exits 3 and says both', async () => {
    const { licenseKey, blob } = await mint('refunded@example.com');
    expect((await cli(['revoke', licenseKey, '--reason', 'refund'])).exitCode).toBe(0);
    const text = await cli(['verify', blob]);
    expect(text.exitCode).toBe(3);
    expect(text.stdout).toMatch(/VALID SIGNATURE, BUT REVOKED in the ledger \(refund\)/);
    expect(text.stdout).not.toMatch(/^VALID$/m);
    const json = await cli(['verify', blob, '--json']);
    expect(json.exitCode).toBe(3);
    expect(json.json()).toMatchObject({ valid: true, ledger: { status: 'revoked', revokeReason: 'refund' }, license: { licenseKey } });
  });

  test('a tampered blob is invalid (exit 1) but shows whose it claims to be, marked untrusted', async () => {
    const { licenseKey, blob } = await mint('owner@example.com');
    const forged = tampered(blob, { tier: 'enterprise', seats: 500 });
    const json = await cli(['verify', forged, '--json']);
    expect(json.exitCode).toBe(1);
    expect(json.json()).toMatchObject({ valid: false, reason: 'bad-signature', untrustedLicense: { licenseKey, email: 'owner@example.com', tier: 'enterprise', seats: 500 } });
    expect(json.json().license).toBeUndefined();
    const text = await cli(['verify', forged]);
    expect(text.exitCode).toBe(1);
    expect(text.stdout).toMatch(/^INVALID: bad-signature/m);
    expect(text.stdout).toMatch(/UNTRUSTED: what the blob claims.*\n(.*\n)*\s+Email\s+owner@example\.com/);
  });

  test('not valid is exit 1, apart from 3 (valid but revoked here); --help says so', async () => {
    const expired = await cli(['mint', '--tier', 'pro', '--email', 'old@example.com', '--expires', '2026-12-01', '--json']);
    expect(expired.exitCode, expired.stderr).toBe(0);
    const later = await runCli(['verify', expired.json().blob], { home, env: { ...env, LICENSE_ADMIN_NOW: '2027-06-01T00:00:00Z' } });
    expect(later.exitCode).toBe(1);
    expect(later.stdout).toMatch(/^INVALID: expired/m);
    expect((await cli(['verify', 'not-a-blob'])).exitCode).toBe(1);
    const noFile = await cli(['verify', './missing.lic']);
    expect(noFile.exitCode).toBe(1);
    expect(noFile.stderr).toMatch(/no such file/);
    const help = await cli(['verify', '--help']);
    expect(help.stdout).toMatch(/Exit codes: 0 valid; 1 not valid/);
    expect(help.stdout).toMatch(/3 the signature is valid but the local ledger\s+says the license is revoked/);
  });

  test('nothing to verify (empty stdin) is a usage error, exit 2', async () => {
    const r = await cli(['verify'], '');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/nothing to verify: stdin was empty/);
  });
});
