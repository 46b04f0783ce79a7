// Hostile text never acts on the terminal (issue 13, item 3). A blob signed by a valid but untrusted key whose
// kid holds escape sequences and a fake "VALID" line, and buyer names from an import and from a Gumroad ping
// with the same: every human output (verify, show, search, list, list --csv, stats, server events, import
// reports) shows them escaped (\u{1b}), with no raw ESC, CR, C1 or bidi override; --json stays exact.
// The built binary, a temp HOME, a real `serve` for the webhook.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildClaims } from '../src/license/build-claims.js';
import { signingKeyFromSeed, type SigningKey } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { runCli, tempHome, type CliResult } from './helpers/cli.js';
import { setupServeHome, sql, startServe, type ServeHome, type ServeProcess } from './helpers/serve-process.js';
import { gumroadPing, postGumroad, until } from './helpers/server-harness.js';

/** Clears the screen, homes the cursor, prints a green VALID on a line of its own, then a CSI in C1 and an RLO. */
const HOSTILE = 'Eve\u001b[2J\u001b[H\u001b[32mVALID\u001b[0m\r\nVALID\n\u009b2J\u202eevil';
const SHOWN = 'Eve\\u{1b}[2J\\u{1b}[H\\u{1b}[32mVALID\\u{1b}[0m\\u{d}\\u{a}VALID\\u{a}\\u{9b}2J\\u{202e}evil';
const SEED = '7a'.repeat(32);
const env = { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: '2026-11-25T12:00:00Z' };
const own = signingKeyFromSeed(Buffer.from(SEED, 'hex'));
const stranger = signingKeyFromSeed(Buffer.alloc(32, 0x42));

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Nothing in stdout or stderr can act on a terminal, and no line starts with a "VALID" someone else wrote
 * (the lines of a multi-line note stay lines, indented under their label). `verdict`: verify's own first line.
 */
function expectTerminalSafe(r: CliResult, { csv = false, verdict = false } = {}): void {
  for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
    const checked = csv && name === 'stdout' ? text.replace(/\r\n/g, '\n') : text;
    const bad = UNSAFE.exec(checked);
    expect(bad, `${name} has a raw U+${bad?.[0].codePointAt(0)!.toString(16)}:\n${JSON.stringify(text)}`).toBeNull();
  }
  expect((verdict ? r.stdout.split('\n').slice(1).join('\n') : r.stdout)).not.toMatch(/^VALID/m);
}

async function blobBy(key: SigningKey, kid: string, name: string, tag: string | undefined): Promise<string> {
  const claims = buildClaims({ product: 'escco', licenseKey: 'EC1-PRO-7K2M-9QXH-4TZB-W3NAA', name, email: 'eve@example.com', tier: 'pro', issuedAt: new Date('2026-11-01T00:00:00Z'), expiresAt: null });
  return createJwsFormat(tag).encode(claims, { kid, sign: (bytes) => key.sign(bytes) });
}

describe('a blob signed by an untrusted key with escape sequences in its kid', () => {
  let home: string;
  let blob: string;
  beforeAll(async () => {
    home = await tempHome();
    expect((await runCli(['init', '--yes', '--product', 'escco', '--prefix', 'EC1', '--blob-tag', 'ESC1'], { home, env })).exitCode).toBe(0);
    blob = await blobBy(stranger, `k${HOSTILE}`, HOSTILE, 'ESC1');
  });

  test('verify prints the kid and the claimed name escaped, exits 1, and --json keeps them exact', async () => {
    const r = await runCli(['verify', blob], { home, env });
    expect(r.exitCode).toBe(1);
    expectTerminalSafe(r);
    expect(r.stdout).toMatch(/^INVALID: unknown-key/);
    expect(r.stdout).toContain(`k${SHOWN}`);
    expect(r.stdout).toMatch(/UNTRUSTED/);
    const json = await runCli(['verify', blob, '--json'], { home, env });
    expect(json.exitCode).toBe(1);
    expect(json.json()).toMatchObject({ valid: false, reason: 'unknown-key', untrustedLicense: { kid: `k${HOSTILE}`, name: HOSTILE } });
  });

  test('with colour forced on, the only escape sequences are our own colours', async () => {
    const r = await runCli(['verify', blob], { home, env: { ...env, NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('\u001b[31m'); // the red INVALID: colour is on
    const foreign = r.stdout.replace(/\u001b\[(?:1|2|22|31|32|33|36|39)m/g, '');
    expect(foreign).not.toMatch(/\u001b|\r|\u009b|\u202e/);
    expect(r.stdout).toContain('\\u{1b}[2J');
  });

  test('a JSONL log holding it: every failing line is shown escaped', async () => {
    const log = join(home, 'issued.jsonl');
    writeFileSync(log, `${JSON.stringify({ license_key: HOSTILE, blob })}\n${JSON.stringify({ license_key: 'x', blob: `${blob}${HOSTILE}` })}\n`);
    const r = await runCli(['verify', log], { home, env });
    expect(r.exitCode).toBe(1);
    expectTerminalSafe(r);
    expect(r.stdout).toContain(SHOWN);
  });
});

describe('a buyer whose name, notes and revoke reason hold escape sequences, imported from a JSONL log', () => {
  let home: string;
  const key = 'EC1-PRO-ab12-cd34';
  beforeAll(async () => {
    home = await tempHome();
    expect((await runCli(['init', '--yes', '--product', 'escco', '--prefix', 'EC1', '--blob-tag', 'none'], { home, env })).exitCode).toBe(0);
    const file = join(home, 'legacy.jsonl');
    const record = { license_key: key, name: HOSTILE, email: 'eve@example.com', tier: 'pro', issued_at: '2026-01-01', blob: await blobBy(own, own.kid, HOSTILE, undefined), notes: `first\n${HOSTILE}`, revoked_at: '2026-02-01', revoke_reason: HOSTILE };
    const invalid = { license_key: 'EC1-PRO-zz99-yy88', name: HOSTILE, email: `not-an-email${HOSTILE}`, tier: 'pro', issued_at: '2026-01-01' };
    writeFileSync(file, `${JSON.stringify(record)}\n${JSON.stringify(invalid)}\n`);
    const imported = await runCli(['import', file], { home, env });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expectTerminalSafe(imported);
    expect((await runCli(['import', file, '--dry-run'], { home, env })).stderr).not.toMatch(UNSAFE);
  });

  test.each([[['show', key]], [['show', 'eve@example.com']], [['search', 'Eve']], [['list']], [['list', '--revoked']], [['stats']]])('%j shows it escaped', async (args) => {
    const r = await runCli(args, { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expectTerminalSafe(r);
    if (args[0] !== 'stats') expect(r.stdout).toContain('Eve\\u{1b}[2J');
  });

  test('show keeps several notes on their own indented lines, each escaped', async () => {
    const r = await runCli(['show', key], { home, env });
    expect(r.stdout).toMatch(/^ {2}Notes {9}first\n {16}Eve\\u\{1b\}\[2J/m);
  });

  test('list --csv is valid CSV with the text neutralised; --json is exact', async () => {
    const r = await runCli(['list', '--csv'], { home, env });
    expectTerminalSafe(r, { csv: true });
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ licenseKey: key, name: SHOWN, revokeReason: SHOWN });
    const json = await runCli(['list', '--json'], { home, env });
    expect(json.json()[0]).toMatchObject({ name: HOSTILE, revokeReason: HOSTILE });
  });

  test('verify of the imported blob (signed by our key) shows the claimed name escaped', async () => {
    const blob = (await runCli(['show', key, '--json'], { home, env })).json<{ blob: string }>().blob;
    const r = await runCli(['verify', blob], { home, env });
    expect(r.stdout).toMatch(/^VALID\n/);
    expectTerminalSafe(r, { verdict: true });
    expect(r.stdout).toContain(`Name      ${SHOWN}`);
  });
});

describe('a buyer name with escape sequences arriving by a Gumroad ping', () => {
  let served: ServeHome;
  let server: ServeProcess;
  beforeAll(async () => {
    served = await setupServeHome({ LICENSE_ADMIN_NOW: '' });
    server = startServe(served);
    const { url } = await server.ready;
    const res = await postGumroad(url, gumroadPing('ESCSALE1', { full_name: HOSTILE, email: 'ping@example.com', product_name: `DashTool${HOSTILE}` }));
    expect(res.status).toBe(200);
    const failing = await postGumroad(url, gumroadPing(`ESCSALE2${HOSTILE}`, { email: 'late@example.com', free_trial_ends_at: '+275760-09-10T00:00:00.000Z' }));
    expect(failing.status).toBeLessThan(500);
    await until(async () => (await sql(served, "SELECT 1 FROM licenses WHERE email = 'ping@example.com'")).length > 0, 20_000, 'the ping to be minted');
    await server.stop();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  test.each([[['show', 'ping@example.com']], [['search', 'ping@']], [['list']], [['server', 'events']], [['server', 'events', '--failed']]])('%j shows it escaped', async (args) => {
    const r = await runCli(args, { home: served.home, env: served.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expectTerminalSafe(r);
    if (args[0] !== 'server') expect(r.stdout).toContain('Eve\\u{1b}[2J');
  });

  test('show --json has the name exactly as the ping sent it', async () => {
    const r = await runCli(['show', 'ping@example.com', '--json'], { home: served.home, env: served.env });
    expect(r.json()[0]).toMatchObject({ name: HOSTILE });
  });
});
