// Out-of-range signed dates (issue 13, item 6). JavaScript dates end at ±275760 years: a signed exp of -9e12
// made the verifier throw RangeError (CLI verify exit 70), and mint accepted --expires 275760-09-13, after
// which renew exited 70. Now signable dates run from 2000-01-01 to the end of 2199 (docs/FORMAT.md): mint
// and renew refuse anything else, and a blob carrying one is malformed. The built binary, a temp HOME.
import { beforeAll, expect, test } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { verifyLicense } from '../src/verify/index.js';
import { runCli, tempHome } from './helpers/cli.js';

const SEED = '6d'.repeat(32);
const env = { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: '2026-11-25T12:00:00Z' };
const key = signingKeyFromSeed(Buffer.from(SEED, 'hex'));
let home: string;
const cli = (args: string[]) => runCli(args, { home, env });

beforeAll(async () => {
  home = await tempHome();
  expect((await runCli(['init', '--yes', '--product', 'dateco', '--prefix', 'DC1', '--blob-tag', 'none'], { home, env })).exitCode).toBe(0);
});

/** A blob with these claims, properly signed by the home's own key. */
function signedBlob(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'EdDSA', typ: 'license+jwt', kid: key.kid })}.${b64({ v: 1, iss: 'dateco', sub: 'DC1-PRO-X', name: 'N', email: 'n@example.com', tier: 'pro', iat: 1_764_000_000, ...claims })}`;
  return `${input}.${Buffer.from(key.sign(Buffer.from(input))).toString('base64url')}`;
}

test.each([
  ['exp -9e12', { exp: -9e12 }],
  ['iat 9e12', { iat: 9e12 }],
  ['updates_until 8.64e12', { updates_until: 8.64e12 }],
  ['exp 1999-12-31', { exp: 946_598_400 }],
])('a signed blob with %s is malformed: the verifier answers, the CLI exits 1, not 70', async (_label, claims) => {
  const blob = signedBlob(claims);
  const result = await verifyLicense(blob, { keys: [key.publicJwk], now: new Date(env.LICENSE_ADMIN_NOW) });
  expect(result).toMatchObject({ valid: false, reason: 'malformed' });
  const text = await cli(['verify', blob]);
  expect(text.exitCode, text.stderr).toBe(1);
  expect(text.stdout).toMatch(/^INVALID: malformed/m);
  expect(text.stderr).not.toMatch(/RangeError|bug in license-admin/);
  const json = await cli(['verify', blob, '--json']);
  expect(json.exitCode).toBe(1);
  expect(json.json()).toMatchObject({ valid: false, reason: 'malformed' });
});

test.each([
  ['--expires', '275760-09-13'],
  ['--expires', '+275760-09-13T00:00:00Z'],
  ['--expires', '2200-01-01'],
  ['--expires', '1999-12-31'],
  ['--updates-until', '2300-01-01'],
])('mint %s %s is a usage error naming the window (exit 2), and nothing is minted', async (flag, value) => {
  const r = await cli(['mint', '--tier', 'pro', '--email', 'far@example.com', flag, value]);
  expect(r.exitCode, r.stderr).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`${flag} \\S+ is out of range: license dates run from 2000-01-01 to the end of 2199`));
  expect(r.stderr).not.toMatch(/RangeError|bug in license-admin/);
  expect((await cli(['search', 'far@example.com', '--json'])).json()).toEqual([]);
});

test('the last signable day mints and verifies; renewing past 2199 is a clear user error (exit 1), not 70', async () => {
  const minted = await cli(['mint', '--tier', 'pro', '--email', 'late@example.com', '--expires', '2199-12-31', '--json']);
  expect(minted.exitCode, minted.stderr).toBe(0);
  const { licenseKey, blob } = minted.json<{ licenseKey: string; blob: string }>();
  expect((await cli(['verify', blob])).exitCode).toBe(0);
  const renewed = await cli(['renew', licenseKey, '--years', '5']);
  expect(renewed.exitCode, renewed.stderr).toBe(1);
  expect(renewed.stderr).toMatch(/the expiry 2204-12-31 cannot be signed: license dates run from 2000-01-01 to the end of 2199/);
  const until = await cli(['renew', licenseKey, '--until', '275760-09-13']);
  expect(until.exitCode, until.stderr).toBe(2);
  expect(until.stderr).toMatch(/--until 275760-09-13 is out of range/);
  // Nothing changed: the license still ends on its last signable day.
  expect((await cli(['show', licenseKey, '--json'])).json()).toMatchObject({ expiresAt: '2199-12-31T00:00:00.000Z' });
});
