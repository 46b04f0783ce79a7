// The contract of the licensing core: every use case, run on each implementation of its port — the CLI's
// SQLite ledger, the server's SQLite store and a real PostgreSQL — writes the same licenses and the same
// events. The clock and the random bytes are fixed, so "the same" is byte for byte.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/config.js';
import { UserError } from '../src/errors.js';
import { newEventId, type LedgerEvent } from '../src/ledger/events.js';
import { Ledger } from '../src/ledger/ledger.js';
import type { LicenseRow } from '../src/ledger/project.js';
import { rowToEvent, type SqlRow } from '../src/ledger/row-mapping.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { localSigner } from '../src/license/signer.js';
import type { LicenseFormat } from '../src/license/format.js';
import { generateLicenseKey } from '../src/license/license-key.js';
import { createJwsFormat } from '../src/license/jws-format.js';
import type { NewOutboxMessage } from '../src/mail/outbox.js';
import { PostgresStore } from '../src/stores/postgres-store.js';
import { SqliteLedgerStore } from '../src/stores/sqlite-ledger-store.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import type { LicenseMail, SigningContext } from '../src/usecases/context.js';
import { editLicense } from '../src/usecases/edit.js';
import { forgetPerson } from '../src/usecases/forget.js';
import type { LedgerStore, LedgerTx } from '../src/usecases/ledger-port.js';
import { mintInTransaction, mintLicense, type MintRequest } from '../src/usecases/mint.js';
import { activateMachine, checkLicense, deactivateMachine, listActivations, resetActivations, type ActivationPolicy } from '../src/usecases/activations.js';
import { addNote } from '../src/usecases/note.js';
import { reissueLicenses } from '../src/usecases/reissue.js';
import { renewLicense, setSubscriptionExpiry } from '../src/usecases/renew.js';
import { resendLicenses } from '../src/usecases/resend.js';
import { reinstateLicense, revokeLicense, settlePaymentRevocation } from '../src/usecases/revoke.js';
import { verifyLicense } from '../src/verify/index.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase } from './helpers/server-harness.js';

const START = Date.parse('2027-03-01T12:00:00.000Z');
const DAY = 86_400_000;
const signer = signingKeyFromSeed(Buffer.alloc(32, 9));
const config = { ...DEFAULT_CONFIG, product: 'dashtool', prefix: 'DT1', tiers: ['core', 'pro'] };

/** The same bytes in the same order for every store: a hash chain. */
function seededRandom(seed: string): (n: number) => Uint8Array {
  let counter = 0;
  return (n) => {
    const out = Buffer.alloc(n);
    for (let filled = 0; filled < n; filled += 32) createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, filled);
    return out;
  };
}

/** A second blob format to migrate to: the claims as JSON and a signature (enough for the contract). */
const plainFormat: LicenseFormat = {
  name: 'plain-test',
  encode: async (claims, s) => {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${Buffer.from(await s.sign(Buffer.from(body))).toString('base64url')}`;
  },
  decode: () => {
    throw new Error('not needed here');
  },
};

interface Subject {
  store: LedgerStore;
  events(): Promise<LedgerEvent[]>;
  license(key: string): Promise<LicenseRow | null>;
  close(): Promise<void>;
}

type Kind = 'cli-sqlite' | 'serve-sqlite' | 'postgres';
const KINDS: Kind[] = ['cli-sqlite', 'serve-sqlite', 'postgres'];

let pgCluster: PostgresInstance;
const dir = mkdtempSync(join(tmpdir(), 'la-contract-'));
beforeAll(async () => {
  pgCluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pgCluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(kind: Kind, name: string): Promise<Subject> {
  // Event ids count events made in the same millisecond; each run starts that count afresh.
  newEventId(new Date(0), () => new Uint8Array(8));
  const random = seededRandom(`store:${name}`);
  if (kind === 'cli-sqlite') {
    const ledger = new Ledger(join(dir, `${kind}-${name}.sqlite`));
    const store = new SqliteLedgerStore(ledger, { random, actor: 'server', source: 'server', missingLicense: (k) => `no license ${k} on this server` });
    return {
      store,
      events: async () => (ledger.db.prepare('SELECT * FROM events ORDER BY seq').all() as SqlRow[]).map(rowToEvent),
      license: async (key) => ledger.getLicense(key),
      close: async () => ledger.close(),
    };
  }
  const store = kind === 'serve-sqlite'
    ? SqliteStore.open(join(dir, `${kind}-${name}.sqlite`), { random })
    : PostgresStore.connect(await freshDatabase(pgCluster.url), { random });
  await store.migrate();
  return { store, events: () => store.eventsSince(0, 10_000), license: (key) => store.getLicense(key), close: () => store.close() };
}

/** A fixed clock the scenario moves by hand (backwards too: a skewed replica). */
function testContext(name: string) {
  let now = START;
  const ctx: SigningContext = { config, format: createJwsFormat(undefined), signer: localSigner(signer), clock: () => new Date(now), random: seededRandom(`ctx:${name}`), actor: 'test', source: 'server' };
  return { ctx, at: (ms: number) => void (now = ms) };
}

const mail: LicenseMail = (license, written) => {
  const event = written!;
  return {
    idempotencyKey: `${event.type}:${event.id}`, kind: event.type === 'renewed' ? 'renewed' : 'license', to: license.email, subject: `Your ${license.tier} license`,
    text: license.blob, html: null, attachments: [], messageId: `<${event.id}@test>`, licenseKeys: [license.licenseKey], createdAt: new Date(event.at),
  };
};
const claimsOf = (blob: string) => JSON.parse(Buffer.from(blob.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const withoutSeq = (events: LedgerEvent[]) => events.map(({ id, licenseKey, type, at, actor, source, data }) => ({ id, licenseKey, type, at, actor, source, data }));
const userError = async (p: Promise<unknown>) => {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return (error as UserError).message;
};
const NOBODY = generateLicenseKey('DT1', 'pro', seededRandom('nobody'));
const GLASS = generateLicenseKey('DT1', 'pro', seededRandom('break-glass'));
const TEAM: MintRequest = { tier: 'pro', email: 'team@example.com', name: 'Team Co', seats: 10, features: ['sso', 'audit'], orderRef: 'stripe:sub_team', expiresAt: new Date(START + 30 * DAY) };

/** Each scenario runs once per store; its outcome (licenses and events) must be the same on all of them. */
const SCENARIOS: Record<string, (s: Subject, t: ReturnType<typeof testContext>) => Promise<string[]>> = {
  async 'a subscription renewal keeps seats and features'(s, { ctx, at }) {
    const minted = await s.store.transaction((tx) => mintLicense(tx, TEAM, ctx, { existing: 'return', mail }));
    expect(minted).toMatchObject({ created: true, mailQueued: true, license: { seats: 10, features: ['sso', 'audit'] } });
    // This replica's clock is a minute behind the one that minted.
    at(START - 60_000);
    const renewal = await s.store.transaction((tx) => setSubscriptionExpiry(tx, minted.license.licenseKey, new Date(START + 60 * DAY), ctx, mail));
    expect(renewal.changed).toBe(true);
    expect(renewal.license).toMatchObject({ seats: 10, features: ['sso', 'audit'], expiresAt: new Date(START + 60 * DAY).toISOString() });
    expect(claimsOf(renewal.license.blob)).toMatchObject({ seats: 10, features: ['sso', 'audit'], exp: (START + 60 * DAY) / 1000 });
    const checked = await verifyLicense(renewal.license.blob, { keys: [signer.publicJwk], product: 'dashtool', now: new Date(START) });
    expect(checked.valid).toBe(true);
    // The renewal sorts after the mint whatever the clock said, so every replica projects it last.
    expect(renewal.events).toHaveLength(1);
    expect(renewal.events[0]!.at > minted.events[0]!.at).toBe(true);
    expect(renewal.mail?.created).toBe(true);
    // The subscription ends early: an expiry in the past is written as it is (an ending processed late).
    at(START + 90 * DAY);
    const ended = await s.store.transaction((tx) => setSubscriptionExpiry(tx, minted.license.licenseKey, new Date(START + 61 * DAY), ctx));
    expect(ended.license).toMatchObject({ seats: 10, features: ['sso', 'audit'], expiresAt: new Date(START + 61 * DAY).toISOString() });
    return [minted.license.licenseKey];
  },

  async 'renew keeps entitlements, refuses revoked and unverified licenses, and a lifetime renew is a no-op'(s, { ctx, at }) {
    const minted = await mintInTransaction(s.store, TEAM, ctx, { existing: 'error' });
    at(START + DAY);
    const renewed = await s.store.transaction((tx) => renewLicense(tx, minted.license.licenseKey, { years: 1 }, ctx, mail));
    expect(renewed.license.expiresAt).toBe(new Date(Date.UTC(2028, 2, 31, 12)).toISOString());
    expect(claimsOf(renewed.license.blob)).toMatchObject({ seats: 10, features: ['sso', 'audit'] });
    const lifetime = await s.store.transaction((tx) => mintLicense(tx, { tier: 'core', email: 'life@example.com', lifetime: true }, ctx, { existing: 'error' }));
    expect(await s.store.transaction((tx) => renewLicense(tx, lifetime.license.licenseKey, { lifetime: true }, ctx))).toMatchObject({ changed: false, events: [] });
    expect(await userError(s.store.transaction((tx) => renewLicense(tx, lifetime.license.licenseKey, {}, ctx)))).toMatch(/lifetime license/);
    await s.store.transaction((tx) => revokeLicense(tx, minted.license.licenseKey, 'chargeback', ctx));
    expect(await userError(s.store.transaction((tx) => setSubscriptionExpiry(tx, minted.license.licenseKey, new Date(START + 400 * DAY), ctx)))).toMatch(/is revoked/);
    expect(await userError(s.store.transaction((tx) => renewLicense(tx, NOBODY, {}, ctx)))).toBe(`no license ${NOBODY} on this server`);
    // An imported blob nobody could verify is never re-signed, by hand or by a payment.
    const unverified = generateLicenseKey('DT1', 'pro', seededRandom('unverified'));
    await s.store.transaction((tx) => tx.applyEvents([{ id: 'import-1', licenseKey: unverified, type: 'imported', at: new Date(START).toISOString(), actor: 'import', source: 'import',
      data: { product: 'dashtool', name: 'Old', email: 'old@example.com', tier: 'pro', issuedAt: new Date(START).toISOString(), expiresAt: new Date(START + 10 * DAY).toISOString(), blob: 'legacy-blob', kid: null, format: 'legacy', verified: false } }]));
    expect(await userError(s.store.transaction((tx) => setSubscriptionExpiry(tx, unverified, new Date(START + 40 * DAY), ctx)))).toMatch(/could not be verified/);
    expect((await s.store.transaction((tx) => renewLicense(tx, unverified, { acceptUnverified: true }, ctx))).license.verified).toBe(true);
    return [minted.license.licenseKey, lifetime.license.licenseKey, unverified];
  },

  async 'one order, one license; one request, one license'(s, { ctx }) {
    const first = await s.store.transaction((tx) => mintLicense(tx, TEAM, ctx, { existing: 'return' }));
    const again = await s.store.transaction((tx) => mintLicense(tx, { ...TEAM, email: 'other@example.com' }, ctx, { existing: 'return' }));
    expect(again).toMatchObject({ created: false, replayed: false, events: [], license: { licenseKey: first.license.licenseKey } });
    expect(await userError(s.store.transaction((tx) => mintLicense(tx, TEAM, ctx, { existing: 'error' })))).toMatch(/order stripe:sub_team already has license/);
    const request = { tier: 'core', email: 'req@example.com' };
    const made = await mintInTransaction(s.store, request, ctx, { existing: 'return', idempotencyKey: 'request-key-0123456789', mail });
    const replay = await mintInTransaction(s.store, request, ctx, { existing: 'return', idempotencyKey: 'request-key-0123456789', mail });
    expect(replay).toMatchObject({ created: false, replayed: true, mailQueued: true, events: [], license: { licenseKey: made.license.licenseKey } });
    // A break-glass mint under a request's key is that request's license (the CLI's retry after a crash).
    const glass = await s.store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: 'glass@example.com' }, ctx, { existing: 'error', licenseKey: GLASS }));
    const glassAgain = await s.store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: 'glass@example.com' }, ctx, { existing: 'error', licenseKey: GLASS }));
    expect(glassAgain).toMatchObject({ created: false, events: [], license: { licenseKey: glass.license.licenseKey } });
    expect(await userError(s.store.transaction((tx) => mintLicense(tx, { tier: 'gold', email: 'x@example.com' }, ctx, { existing: 'error' })))).toMatch(/unknown tier "gold"/);
    return [first.license.licenseKey, made.license.licenseKey, glass.license.licenseKey];
  },

  async 'revoke and reinstate: no-ops write nothing, order holds on a skewed clock, payments revoke once'(s, { ctx, at }) {
    const { license } = await s.store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: 'r@example.com', orderRef: 'gumroad:R1', gumroadOrderId: 'R1' }, ctx, { existing: 'error' }));
    at(START + 1000);
    expect(await s.store.transaction((tx) => revokeLicense(tx, license.licenseKey, 'asked', ctx))).toMatchObject({ changed: true, license: { revokeReason: 'asked' } });
    expect(await s.store.transaction((tx) => revokeLicense(tx, license.licenseKey, 'again', ctx))).toMatchObject({ changed: false, events: [] });
    at(START - 5000); // a reinstate from a replica whose clock is behind still comes after the revoke
    const back = await s.store.transaction((tx) => reinstateLicense(tx, license.licenseKey, ctx));
    expect(back).toMatchObject({ changed: true, license: { revokedAt: null } });
    expect(await s.store.transaction((tx) => reinstateLicense(tx, license.licenseKey, ctx))).toMatchObject({ changed: false, events: [] });
    const refund = { reason: 'gumroad refund', detail: { purchaseId: 'R1' }, eventId: () => 'refund-R1' };
    const refunded = await s.store.transaction((tx) => settlePaymentRevocation(tx, license.licenseKey, refund, ctx));
    expect(refunded).toMatchObject({ changed: true, license: { revokeReason: 'gumroad refund' }, events: [{ id: 'refund-R1', data: { reason: 'gumroad refund', purchaseId: 'R1' } }] });
    expect(await s.store.transaction((tx) => settlePaymentRevocation(tx, license.licenseKey, refund, ctx))).toMatchObject({ changed: false });
    expect(await s.store.transaction((tx) => settlePaymentRevocation(tx, license.licenseKey, { reason: null }, ctx))).toMatchObject({ changed: true, license: { revokedAt: null } });
    return [license.licenseKey];
  },

  async 'note, edit, resend and forget'(s, { ctx, at }) {
    const a = await s.store.transaction((tx) => mintLicense(tx, { tier: 'core', email: 'Kim@example.com', name: 'Kim' }, ctx, { existing: 'error' }));
    const b = await s.store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: 'kim@example.com', seats: 3 }, ctx, { existing: 'error' }));
    at(START + 2000);
    await s.store.transaction((tx) => addNote(tx, a.license.licenseKey, 'called about invoice', ctx));
    expect(await userError(s.store.transaction((tx) => addNote(tx, a.license.licenseKey, '  ', ctx)))).toMatch(/empty/);
    const edited = await s.store.transaction((tx) => editLicense(tx, a.license.licenseKey, { tier: 'pro', name: 'Kim Lee' }, ctx, mail));
    expect(edited).toMatchObject({ changed: true, license: { tier: 'pro', name: 'Kim Lee' }, events: [{ type: 'changed', data: { fromTier: 'core', fromName: 'Kim' } }] });
    expect(await s.store.transaction((tx) => editLicense(tx, a.license.licenseKey, { tier: 'pro' }, ctx))).toMatchObject({ changed: false, events: [] });
    const compose = (licenses: readonly LicenseRow[]): NewOutboxMessage => ({
      idempotencyKey: `resend:${ctx.clock().getTime()}`, kind: 'license', to: licenses[0]!.email, subject: 'Your licenses', text: licenses.map((l) => l.licenseKey).join(','),
      html: null, attachments: [], messageId: `<resend-${ctx.clock().getTime()}@test>`, licenseKeys: licenses.map((l) => l.licenseKey), createdAt: ctx.clock(),
    });
    const sent = await s.store.transaction((tx) => resendLicenses(tx, b.license.licenseKey, ctx.clock(), compose));
    expect(sent).toMatchObject({ email: 'kim@example.com', merged: null });
    expect(sent.licenses.map((l) => l.licenseKey)).toEqual([a.license.licenseKey, b.license.licenseKey]);
    at(START + 3000);
    const merged = await s.store.transaction((tx) => resendLicenses(tx, 'KIM@example.com', ctx.clock(), compose));
    expect(merged).toMatchObject({ outboxId: sent.outboxId, merged: { id: sent.outboxId } });
    const forgotten = await s.store.transaction((tx) => forgetPerson(tx, 'kim@example.com', ctx));
    expect(forgotten).toMatchObject({ email: 'kim@example.com', licenseKeys: [a.license.licenseKey, b.license.licenseKey] });
    expect(forgotten.eventsScrubbed).toBeGreaterThanOrEqual(5);
    expect(await s.license(b.license.licenseKey)).toMatchObject({ email: '', name: '', blob: '', seats: 3 });
    expect(await userError(s.store.transaction((tx) => setSubscriptionExpiry(tx, b.license.licenseKey, new Date(START + 400 * DAY), ctx)))).toMatch(/forgotten person/);
    expect(await userError(s.store.transaction((tx) => addNote(tx, b.license.licenseKey, 'hi', ctx)))).toMatch(/forgotten person/);
    expect(await userError(s.store.transaction((tx) => forgetPerson(tx, 'kim@example.com', ctx)))).toMatch(/no licenses for kim@example.com/);
    expect(await userError(s.store.transaction((tx) => resendLicenses(tx, b.license.licenseKey, ctx.clock(), compose)))).toMatch(/forgotten person/);
    return [a.license.licenseKey, b.license.licenseKey];
  },

  async 'activations: the limit (seats override it), the same machine again, replace-oldest, deactivate, reset'(s, { ctx, at }) {
    const one = await s.store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: 'a@example.com' }, ctx, { existing: 'error' }));
    const key = one.license.licenseKey;
    const refuse: ActivationPolicy = { limit: 1, onLimit: 'refuse' };
    const act = (fp: string, policy = refuse, k = key) => s.store.transaction((tx) => activateMachine(tx, { licenseKey: k, fingerprintHash: fp, label: `m-${fp}` }, policy, ctx));
    at(START + 1000);
    const first = await act('h1');
    expect(first).toMatchObject({ status: 'activated', created: true, limit: 1, events: [{ type: 'activated', data: { fingerprintHash: 'h1', label: 'm-h1' } }] });
    expect(await act('h1')).toMatchObject({ status: 'activated', created: false, events: [] });
    expect(await act('h2')).toMatchObject({ status: 'too_many_machines', events: [], limit: 1 });
    const replaced = await act('h2', { limit: 1, onLimit: 'replace-oldest' });
    expect(replaced.status === 'activated' && replaced.replaced.map((a) => a.fingerprintHash)).toEqual(['h1']);
    expect(replaced.events.map((e) => e.type)).toEqual(['deactivated', 'activated']);
    expect(await s.store.transaction((tx) => checkLicense(tx, { licenseKey: key, fingerprintHash: 'h1' }, new Date(START)))).toMatchObject({ status: 'machine_unknown' });
    expect(await s.store.transaction((tx) => checkLicense(tx, { licenseKey: key, email: 'b@example.com' }, new Date(START)))).toMatchObject({ status: 'unknown', license: null });
    const team = await s.store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: 't@example.com', seats: 2 }, ctx, { existing: 'error' }));
    expect((await act('t1', refuse, team.license.licenseKey)).status).toBe('activated');
    expect((await act('t2', refuse, team.license.licenseKey)).status).toBe('activated');
    expect((await act('t3', refuse, team.license.licenseKey)).status).toBe('too_many_machines');
    at(START - 5000); // a replica whose clock is behind still deactivates after the activation
    const current = replaced.status === 'activated' ? replaced.activation.id : '';
    expect(await s.store.transaction((tx) => deactivateMachine(tx, key, current, ctx))).toMatchObject({ status: 'deactivated', activations: [] });
    expect(await s.store.transaction((tx) => deactivateMachine(tx, key, current, ctx))).toMatchObject({ status: 'activation_unknown', events: [] });
    expect(await s.store.transaction((tx) => deactivateMachine(tx, NOBODY, current, ctx))).toMatchObject({ status: 'unknown', events: [] });
    const reset = await s.store.transaction((tx) => resetActivations(tx, team.license.licenseKey, ctx));
    expect(reset.cleared).toHaveLength(2);
    expect(await s.store.transaction((tx) => resetActivations(tx, team.license.licenseKey, ctx))).toMatchObject({ cleared: [], events: [] });
    expect((await s.store.transaction((tx) => listActivations(tx, team.license.licenseKey))).activations).toEqual([]);
    await s.store.transaction((tx) => revokeLicense(tx, key, 'refund', ctx));
    expect(await act('h9')).toMatchObject({ status: 'revoked', events: [] });
    return [key, team.license.licenseKey];
  },

  async 'reissue re-signs active licenses in another format, once'(s, { ctx, at }) {
    const a = await s.store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: 'f@example.com', features: ['x'] }, ctx, { existing: 'error' }));
    const gone = await s.store.transaction((tx) => mintLicense(tx, { tier: 'pro', email: 'g@example.com' }, ctx, { existing: 'error' }));
    await s.store.transaction((tx) => revokeLicense(tx, gone.license.licenseKey, undefined, ctx));
    at(START + 4000);
    const run = (tx: LedgerTx) => reissueLicenses(tx, plainFormat, [createJwsFormat(undefined)], ctx, mail);
    const first = await s.store.transaction(run);
    expect(first.plan.items.map((i) => i.licenseKey)).toEqual([a.license.licenseKey]);
    expect(first.licenses[0]).toMatchObject({ format: 'plain-test', features: ['x'] });
    expect(first.mail).toHaveLength(1);
    expect((await s.store.transaction(run)).plan.items).toEqual([]);
    return [a.license.licenseKey, gone.license.licenseKey];
  },
};

describe.each(Object.keys(SCENARIOS))('%s', (name) => {
  const outcomes = new Map<Kind, { licenses: (LicenseRow | null)[]; events: unknown[] }>();
  test.each(KINDS)('on %s', async (kind) => {
    const subject = await open(kind, name);
    try {
      const keys = await SCENARIOS[name]!(subject, testContext(name));
      outcomes.set(kind, { licenses: await Promise.all(keys.map((k) => subject.license(k))), events: withoutSeq(await subject.events()) });
    } finally {
      await subject.close();
    }
  });
  test('the same licenses and events on every store', () => {
    const [first, ...rest] = KINDS.map((k) => outcomes.get(k));
    expect(first).toBeDefined();
    expect(first!.events.length).toBeGreaterThan(0);
    for (const other of rest) expect(other).toEqual(first);
  });
});
