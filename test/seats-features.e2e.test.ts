// Seats and features are first-class fields of a license: every --json view carries them, exports and
// imports keep them, every path that re-signs keeps them, and ledgers from before they were columns
// get them back-filled from their blobs. The built binary, a temp HOME.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import { generateLicenseKey } from '../src/license/license-key.js';
import { buildClaims } from '../src/license/build-claims.js';
import { migrate, MIGRATIONS } from '../src/ledger/migrations.js';
import { runCli, tempHome } from './helpers/cli.js';

const SEED = '3c'.repeat(32);
const NOW = '2026-11-25T12:00:00Z';
const env = { LICENSE_ADMIN_PRIVATE_KEY: SEED, LICENSE_ADMIN_NOW: NOW };
const signer = signingKeyFromSeed(Buffer.from(SEED, 'hex'));
const jws = createJwsFormat('DTLIC3');

async function newHome() {
  const home = await tempHome();
  const cli = (args: string[]) => runCli(args, { home, env });
  const init = await cli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--blob-tag', 'DTLIC3']);
  expect(init.exitCode, init.stderr).toBe(0);
  return { home, cli, ledgerFile: join(home, '.license-admin', 'ledger.sqlite') };
}

/** A blob as an older license-admin (or the legacy tool) signed it: seats and features only in the claims. */
async function blobWithClaims(licenseKey: string, seats: number, features: string[]): Promise<string> {
  return jws.encode(buildClaims({ product: 'datatools', licenseKey, name: 'Old Timer', email: 'old@example.com', tier: 'pro',
    issuedAt: new Date('2026-01-10T00:00:00Z'), expiresAt: new Date('2027-01-10T00:00:00Z'), seats, features }), signer);
}

const claimsOf = async (h: Awaited<ReturnType<typeof newHome>>, blob: string) => (await h.cli(['verify', blob, '--json'])).json().license;

describe('the scripting contract: seats (number or null) and features (array) on every license', () => {
  let h: Awaited<ReturnType<typeof newHome>>;
  let withSeats: { licenseKey: string };
  let plain: { licenseKey: string };
  beforeAll(async () => {
    h = await newHome();
    const a = await h.cli(['mint', '--tier', 'pro', '--email', 'team@example.com', '--seats', '5', '--features', 'export, sync', '--json']);
    const b = await h.cli(['mint', '--tier', 'core', '--email', 'solo@example.com', '--json']);
    expect(a.exitCode, a.stderr).toBe(0);
    withSeats = a.json();
    plain = b.json();
  });

  test('mint --json', () => {
    expect(withSeats).toMatchObject({ seats: 5, features: ['export', 'sync'] });
    expect(plain).toMatchObject({ seats: null, features: [] });
  });

  test('show --json, list --json, search --json', async () => {
    expect((await h.cli(['show', withSeats.licenseKey, '--json'])).json()).toMatchObject({ seats: 5, features: ['export', 'sync'] });
    expect((await h.cli(['show', plain.licenseKey, '--json'])).json()).toMatchObject({ seats: null, features: [] });
    const listed = (await h.cli(['list', '--json'])).json() as { licenseKey: string; seats: unknown; features: unknown }[];
    expect(listed.map((l) => [l.licenseKey, l.seats, l.features]).sort()).toEqual([
      [plain.licenseKey, null, []], [withSeats.licenseKey, 5, ['export', 'sync']],
    ].sort());
    const found = (await h.cli(['search', 'team@', '--json'])).json();
    expect(found).toEqual([expect.objectContaining({ seats: 5, features: ['export', 'sync'] })]);
  });

  test('show and list --csv for people and spreadsheets', async () => {
    const shown = await h.cli(['show', withSeats.licenseKey]);
    expect(shown.stdout).toMatch(/Seats\s+5/);
    expect(shown.stdout).toMatch(/Features\s+export, sync/);
    const csv = (await h.cli(['list', '--csv'])).stdout.split('\r\n');
    const header = csv[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['seats', 'features']));
    const row = csv.find((l) => l.startsWith(withSeats.licenseKey))!;
    expect(row).toContain(',5,"export,sync",');
  });

  test('the license mail and verify say them too', async () => {
    const preview = await h.cli(['mint', '--tier', 'pro', '--email', 'mail@example.com', '--seats', '2', '--features', 'sso', '--send', '--preview']);
    expect(preview.exitCode, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/^Seats: +2$/m);
    expect(preview.stdout).toMatch(/^Features: +sso$/m);
    const none = await h.cli(['mint', '--tier', 'pro', '--email', 'mail2@example.com', '--send', '--preview']);
    expect(none.stdout).not.toMatch(/^(Seats|Features):/m);
    const shown = (await h.cli(['show', withSeats.licenseKey, '--json'])).json();
    const verified = await h.cli(['verify', shown.blob]);
    expect(verified.stdout).toMatch(/Seats +5/);
    expect(verified.stdout).toMatch(/Features +export, sync/);
  });

  test('export (JSONL and CSV) carries them, and an import into a fresh home reads them back', async () => {
    const jsonl = (await h.cli(['export', '--format', 'jsonl'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl.find((r) => r.license_key === withSeats.licenseKey)).toMatchObject({ seats: 5, features: ['export', 'sync'] });
    expect(jsonl.find((r) => r.license_key === plain.licenseKey)).toMatchObject({ seats: null, features: [] });
    const file = join(h.home, 'export.csv');
    expect((await h.cli(['export', '--format', 'csv', '-o', file])).exitCode).toBe(0);
    const other = await newHome();
    const imported = await other.cli(['import', file, '--json']);
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect((await other.cli(['show', withSeats.licenseKey, '--json'])).json()).toMatchObject({ seats: 5, features: ['export', 'sync'] });
    expect((await other.cli(['show', plain.licenseKey, '--json'])).json()).toMatchObject({ seats: null, features: [] });
  });
});

describe('licenses whose seats are only in the blob', () => {
  test('an imported legacy line: the blob claims say, and renew keeps them in the new blob', async () => {
    const h = await newHome();
    const key = generateLicenseKey('DT1', 'pro', (n) => randomBytes(n));
    const file = join(h.home, 'legacy.jsonl');
    writeFileSync(file, `${JSON.stringify({ license_key: key, name: 'Old Timer', email: 'old@example.com', tier: 'pro', issued_at: '2026-01-10', expires_at: '2027-01-10', blob: await blobWithClaims(key, 7, ['batch']) })}\n`);
    expect((await h.cli(['import', file])).exitCode).toBe(0);
    expect((await h.cli(['show', key, '--json'])).json()).toMatchObject({ seats: 7, features: ['batch'], verified: true });
    const renewed = await h.cli(['renew', key, '--json']);
    expect(renewed.exitCode, renewed.stderr).toBe(0);
    expect(renewed.json()).toMatchObject({ seats: 7, features: ['batch'] });
    expect(await claimsOf(h, renewed.json().blob)).toMatchObject({ seats: 7, features: ['batch'] });
  });

  test('a ledger from before the columns (schema 4) is back-filled from its events and blobs when opened', async () => {
    const h = await newHome();
    const imported = generateLicenseKey('DT1', 'pro', (n) => randomBytes(n));
    const minted = generateLicenseKey('DT1', 'pro', (n) => randomBytes(n));
    const mintedBlob = await blobWithClaims(minted, 3, ['a']);
    // A schema-4 ledger as the previous release wrote it: no seats/features columns.
    rmSync(h.ledgerFile);
    const db = new Database(h.ledgerFile);
    migrate(db, MIGRATIONS.filter((m) => m.version <= 4));
    const insertEvent = db.prepare('INSERT INTO events (id, license_key, type, at, actor, source, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertRow = db.prepare(`INSERT INTO licenses (license_key, product, name, email, tier, issued_at, expires_at, blob, kid, format, source, verified, created_at, updated_at)
      VALUES (?, 'datatools', 'Old Timer', 'old@example.com', 'pro', '2026-01-10T00:00:00.000Z', '2027-01-10T00:00:00.000Z', ?, ?, 'jws', ?, 1, '2026-01-10T00:00:00.000Z', '2026-01-10T00:00:00.000Z')`);
    const origin = (blob: string, extra: object) => JSON.stringify({ product: 'datatools', name: 'Old Timer', email: 'old@example.com', tier: 'pro',
      issuedAt: '2026-01-10T00:00:00.000Z', expiresAt: '2027-01-10T00:00:00.000Z', blob, kid: signer.kid, format: 'jws', ...extra });
    insertEvent.run('import-1', imported, 'imported', '2026-01-10T00:00:00.000Z', 'cli:x', 'import', origin(await blobWithClaims(imported, 9, ['x', 'y']), { verified: true }));
    insertRow.run(imported, await blobWithClaims(imported, 9, ['x', 'y']), signer.kid, 'import');
    insertEvent.run('0001-mint', minted, 'minted', '2026-01-10T00:00:00.000Z', 'cli:x', 'cli', origin(mintedBlob, { seats: 3, features: ['a'] }));
    insertRow.run(minted, mintedBlob, signer.kid, 'cli');
    db.close();
    const listed = (await h.cli(['list', '--json'])).json() as { licenseKey: string; seats: number | null; features: string[] }[];
    expect(Object.fromEntries(listed.map((l) => [l.licenseKey, [l.seats, l.features]]))).toEqual({ [imported]: [9, ['x', 'y']], [minted]: [3, ['a']] });
    const after = new Database(h.ledgerFile, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(5);
    // The columns hold what the projection computes: a later event for the key does not change them.
    after.close();
    expect((await h.cli(['note', imported, 'still here'])).exitCode).toBe(0);
    expect((await h.cli(['show', imported, '--json'])).json()).toMatchObject({ seats: 9, features: ['x', 'y'] });
  });
});
