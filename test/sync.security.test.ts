// The sync routes with bad credentials: an expired, replayed, mis-bound or foreign token, or a malformed
// batch, is refused and changes nothing.
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_AUTH_SCHEME, signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed, type SigningKey } from '../src/license/ed25519-key.js';
import { Ledger } from '../src/ledger/ledger.js';
import { HttpError } from '../src/server/http-error.js';
import { createLogger } from '../src/server/logger.js';
import { Router } from '../src/server/router.js';
import { registerSyncRoutes } from '../src/server/routes/sync.js';
import type { ServerDeps } from '../src/server/deps.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';

const trusted = signingKeyFromSeed(randomBytes(32));
const stranger = signingKeyFromSeed(randomBytes(32));
const event = (id: string) => ({
  id, licenseKey: `DT1-PRO-${id}`, type: 'minted', at: '2025-01-01T00:00:00.000Z', actor: 't', source: 'cli',
  data: { product: 'p', name: 'N', email: 'n@example.com', tier: 'pro', issuedAt: '2025-01-01T00:00:00.000Z', expiresAt: null, blob: 'b', kid: null, format: 'jws' },
});
let store: SqliteStore;
let router: Router;
let deps: ServerDeps;

beforeEach(() => {
  store = new SqliteStore(new Ledger(':memory:'), { random: (n) => randomBytes(n) });
  router = new Router();
  registerSyncRoutes(router);
  deps = { store, env: { LICENSE_ADMIN_ADMIN_KEYS: trusted.publicJwk.x }, clock: () => new Date(), log: createLogger({ write: () => undefined }) } as unknown as ServerDeps;
});
afterEach(() => store.close());

async function call(method: 'GET' | 'POST', path: string, body: string, authorization?: string): Promise<{ status: number; json: any }> {
  const url = new URL(`http://x${path}`);
  const match = router.match(method, url.pathname);
  if (!match || !('handler' in match)) throw new Error('no route');
  const req = { method, headers: authorization ? { authorization } : {} } as unknown as IncomingMessage;
  try {
    const res = await match.handler({ req, url, body: Buffer.from(body), requestId: 'r', deps, log: deps.log });
    return { status: res.status, json: res.json };
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, json: { error: { code: error.code, message: error.message } } };
    throw error;
  }
}

const token = (key: SigningKey, method: string, path: string, body: string, now = new Date(), life = 60) =>
  `${ADMIN_AUTH_SCHEME} ${signAdminToken({ method, path, body }, key, now, life)}`;
const pushBody = JSON.stringify({ events: [event('e1'), event('e2')] });

describe('sync routes refuse bad credentials and change nothing', () => {
  it.each([
    ['no token', () => undefined],
    ['an untrusted admin key', () => token(stranger, 'POST', '/sync/push', pushBody)],
    ['an expired token', () => token(trusted, 'POST', '/sync/push', pushBody, new Date(Date.now() - 10 * 60_000))],
    ['a token for another path', () => token(trusted, 'POST', '/sync/pull', pushBody)],
    ['a token for another body', () => token(trusted, 'POST', '/sync/push', JSON.stringify({ events: [] }))],
    ['a token with a forged signature', () => token(trusted, 'POST', '/sync/push', pushBody).slice(0, -4) + 'AAAA'],
  ])('%s: 401, no events stored', async (_name, auth) => {
    const res = await call('POST', '/sync/push', pushBody, auth());
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('unauthorized');
    expect(await store.counts()).toEqual({ events: 0, licenses: 0 });
  });

  it('a replayed token is refused the second time', async () => {
    const auth = token(trusted, 'POST', '/sync/push', pushBody);
    expect((await call('POST', '/sync/push', pushBody, auth)).status).toBe(200);
    const again = await call('POST', '/sync/push', pushBody, auth);
    expect(again.status).toBe(401);
    expect(again.json.error.message).toMatch(/replay/);
  });

  it('pull and status need a token bound to the exact query', async () => {
    expect((await call('GET', '/sync/pull?after=0&limit=10', '', token(trusted, 'GET', '/sync/pull?after=0&limit=5', ''))).status).toBe(401);
    const ok = await call('GET', '/sync/pull?after=0&limit=10', '', token(trusted, 'GET', '/sync/pull?after=0&limit=10', ''));
    expect(ok).toMatchObject({ status: 200, json: { events: [], lastSeq: 0, more: false } });
    expect((await call('GET', '/sync/status', '', undefined)).status).toBe(401);
  });
});

describe('push validates every event before storing any', () => {
  it.each([
    ['not JSON', '{"events": [', /not JSON/],
    ['events not an array', '{"events": {}}', /must be an array/],
    ['an unknown type', JSON.stringify({ events: [event('a'), { ...event('b'), type: 'exploded' }] }), /events\[1\]\.type/],
    ['a mint without its blob', JSON.stringify({ events: [{ ...event('c'), data: { tier: 'pro' } }] }), /events\[0\]\.data is missing/],
    ['a bad date', JSON.stringify({ events: [{ ...event('d'), at: 'yesterday' }] }), /events\[0\]\.at/],
    ['too many events', JSON.stringify({ events: Array.from({ length: 5_001 }, (_, i) => event(`m${i}`)) }), /at most 5000/],
  ])('%s: 400 naming the problem, nothing stored', async (_name, body, message) => {
    const res = await call('POST', '/sync/push', body, token(trusted, 'POST', '/sync/push', body));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(message);
    expect(await store.counts()).toEqual({ events: 0, licenses: 0 });
  });

  it('pull pages through the events in seq order with more=true until the end', async () => {
    const body = JSON.stringify({ events: Array.from({ length: 5 }, (_, i) => event(`p${i}`)) });
    expect((await call('POST', '/sync/push', body, token(trusted, 'POST', '/sync/push', body))).json).toEqual({ inserted: 5, duplicates: 0, lastSeq: 5, contested: [] });
    const page = async (after: number) => (await call('GET', `/sync/pull?after=${after}&limit=2`, '', token(trusted, 'GET', `/sync/pull?after=${after}&limit=2`, ''))).json;
    expect(await page(0)).toMatchObject({ lastSeq: 2, more: true });
    expect((await page(4)).events.map((e: { id: string }) => e.id)).toEqual(['p4']);
    expect(await page(4)).toMatchObject({ lastSeq: 5, more: false });
    const bad = await call('GET', '/sync/pull?after=-1', '', token(trusted, 'GET', '/sync/pull?after=-1', ''));
    expect(bad.status).toBe(400);
  });
});
