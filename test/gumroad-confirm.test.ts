// Opt-in defence in depth for Gumroad pings: with LICENSE_ADMIN_GUMROAD_ACCESS_TOKEN set, each ping's sale is
// confirmed through Gumroad's API (GET /v2/sales/:id) before fulfilment, and the API's answer is the truth.
// Nothing real can reach Gumroad from here, so a local 127.0.0.1 server stands in for api.gumroad.com,
// answering the shape antiwork/gumroad renders: app/controllers/api/v2/sales_controller.rb#show gives
// `{ success: true, sale }` (base_controller.rb#success_with_object) or, for a sale that is not the token
// owner's, HTTP 200 `{ success: false, message: "The sale was not found." }` (#error_with_object); the sale is
// Purchase#as_json(version: 2) (app/models/purchase.rb). Run on the SQLite ledger and on PostgreSQL.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookUpSale } from '../src/server/fulfilment/gumroad-api.js';
import { TransientFulfilmentError } from '../src/server/fulfilment/retry-policy.js';
import { freePort, startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { freshDatabase, gumroadPing, postGumroad, SELLER_ID, startTestServer, until, type TestServer } from './helpers/server-harness.js';

const ACCESS_TOKEN = 'gumroad-oauth-access-token-xyz';

/** A sale as Purchase#as_json(version: 2) renders it (the fields fulfilment reads, and a few around them). */
function apiSale(id: string, over: Record<string, unknown> = {}) {
  return {
    id, email: `buyer-${id.toLowerCase()}@example.com`, seller_id: SELLER_ID, timestamp: '2 days ago', daystamp: '20 Nov 2026 7:38 PM',
    created_at: '2026-11-20T19:38:56Z', product_name: 'DashTool Pro', product_has_variants: true, price: 4900, gumroad_fee: 0,
    subscription_duration: null, formatted_display_price: '$49', currency: 'usd', product_id: '32-nPAicqbLj8B_WswVlMw==',
    product_permalink: 'dashtool', refunded: false, partially_refunded: false, chargedback: false, purchase_email: `buyer-${id.toLowerCase()}@example.com`,
    full_name: 'Ada Lovelace', paid: true, has_variants: true, variants: { Tier: 'Pro' }, custom_fields: {}, order_id: 524459935,
    is_product_physical: false, disputed: false, dispute_won: false, card: { visual: '**** 4242', type: 'visa' }, quantity: 1,
    ...over,
  };
}

interface FakeGumroad { url: string; sales: Map<string, ReturnType<typeof apiSale>>; down: Set<string>; authorizations: string[]; close(): Promise<void> }

async function startFakeGumroad(): Promise<FakeGumroad> {
  const sales = new Map<string, ReturnType<typeof apiSale>>();
  const down = new Set<string>();
  const authorizations: string[] = [];
  const server: Server = createServer((req, res) => {
    const m = /^\/v2\/sales\/([^/?]+)$/.exec(req.url ?? '');
    authorizations.push(String(req.headers.authorization));
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) return send(401, { error: 'invalid_token' });
    if (!m || req.method !== 'GET') return send(404, { success: false, message: 'Not found' });
    const id = decodeURIComponent(m[1]!);
    if (down.has(id)) return send(503, { error: 'maintenance' });
    const sale = sales.get(id);
    return sale ? send(200, { success: true, sale }) : send(200, { success: false, message: 'The sale was not found.' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sales, down, authorizations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let pgCluster: PostgresInstance;
let gumroad: FakeGumroad;
beforeAll(async () => {
  [pgCluster, gumroad] = await Promise.all([startPostgres(), startFakeGumroad()]);
});
afterAll(async () => {
  await gumroad?.close();
  await pgCluster?.stop();
});

describe.each(['sqlite', 'postgres'] as const)('Gumroad pings confirmed through the API on %s', (kind) => {
  let s: TestServer;
  const sale = (name: string) => `${name}-${kind}`;
  const events = (id: string) => s.store.listPaymentEvents({ orderRef: `gumroad:${id}` });
  const settled = (id: string) => until(async () => {
    const evs = await events(id);
    return evs.length > 0 && evs.every((e) => e.processed) ? evs : null;
  }, 10_000, `${id} processed`);

  beforeAll(async () => {
    s = await startTestServer({
      ...(kind === 'postgres' ? { databaseUrl: await freshDatabase(pgCluster.url) } : {}),
      env: { LICENSE_ADMIN_GUMROAD_ACCESS_TOKEN: ACCESS_TOKEN, LICENSE_ADMIN_GUMROAD_API_URL: gumroad.url },
    });
    s.app.deps.fulfilmentRetry = { baseMs: 200, maxAttempts: 5, maxDelayMs: 400 };
  });
  afterAll(async () => s?.close());

  it('a real sale is minted for the buyer Gumroad has, not the address the ping carries', async () => {
    const id = sale('REAL');
    gumroad.sales.set(id, apiSale(id));
    expect((await postGumroad(s.url, gumroadPing(id, { email: 'attacker@example.net', full_name: 'Mallory' }))).status).toBe(200);
    const license = await until(() => s.store.getByOrderRef(`gumroad:${id}`), 10_000, 'license');
    expect(license).toMatchObject({ email: `buyer-${id.toLowerCase()}@example.com`, name: 'Ada Lovelace', tier: 'pro' });
    expect(gumroad.authorizations.at(-1)).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  it('a ping for a sale Gumroad does not have is rejected, not minted', async () => {
    const id = sale('FORGED');
    expect((await postGumroad(s.url, gumroadPing(id))).status).toBe(200);
    const [event] = await settled(id);
    expect(event).toMatchObject({ eventType: 'rejected', error: expect.stringMatching(/not confirmed by the Gumroad API: Gumroad has no sale/) });
    expect(await s.store.getByOrderRef(`gumroad:${id}`)).toBeNull();
  });

  it('a forged refund does not revoke; the real refund after it does', async () => {
    const id = sale('REFUND');
    gumroad.sales.set(id, apiSale(id));
    await postGumroad(s.url, gumroadPing(id));
    await until(() => s.store.getByOrderRef(`gumroad:${id}`), 10_000, 'license');
    await postGumroad(s.url, gumroadPing(id, { resource_name: 'refund', refunded: 'true' }));
    await until(async () => (await events(id)).some((e) => e.eventType === 'rejected' && e.processed), 10_000, 'forged refund rejected');
    expect((await s.store.getByOrderRef(`gumroad:${id}`))?.revokedAt).toBeNull();

    gumroad.sales.set(id, apiSale(id, { refunded: true }));
    expect(await (await postGumroad(s.url, gumroadPing(id, { resource_name: 'refund', refunded: 'true' }))).json()).toMatchObject({ stored: 1 });
    const revoked = await until(async () => {
      const l = await s.store.getByOrderRef(`gumroad:${id}`);
      return l?.revokedAt ? l : null;
    }, 10_000, 'revoked');
    expect(revoked.revokeReason).toBe('payment refunded');
  });

  it('a sale Gumroad reports refunded, or charged back, is never minted', async () => {
    const refunded = sale('WAS-REFUNDED');
    const charged = sale('CHARGEDBACK');
    gumroad.sales.set(refunded, apiSale(refunded, { refunded: true }));
    gumroad.sales.set(charged, apiSale(charged, { disputed: true, chargedback: true }));
    await postGumroad(s.url, gumroadPing(refunded));
    await postGumroad(s.url, gumroadPing(charged));
    const [a, b] = await Promise.all([settled(refunded), settled(charged)]);
    expect(a!.map((e) => e.eventId).sort()).toEqual([`api-refund:${refunded}`, `sale:${refunded}`]);
    expect(b!.map((e) => e.eventId).sort()).toEqual([`api-dispute:${charged}`, `sale:${charged}`]);
    expect(await s.store.getByOrderRef(`gumroad:${refunded}`)).toBeNull();
    expect(await s.store.getByOrderRef(`gumroad:${charged}`)).toBeNull();
  });

  it('a chargeback the API confirms revokes; an unconfirmed dispute ping does not', async () => {
    const id = sale('DISPUTED');
    gumroad.sales.set(id, apiSale(id));
    await postGumroad(s.url, gumroadPing(id));
    await until(() => s.store.getByOrderRef(`gumroad:${id}`), 10_000, 'license');
    gumroad.sales.set(id, apiSale(id, { disputed: true, chargedback: true }));
    await postGumroad(s.url, gumroadPing(id, { resource_name: 'dispute', disputed: 'true' }));
    const revoked = await until(async () => {
      const l = await s.store.getByOrderRef(`gumroad:${id}`);
      return l?.revokedAt ? l : null;
    }, 10_000, 'revoked');
    expect(revoked.revokeReason).toBe('payment disputed');
  });

  it('while the API is down the ping stays pending and backs off; it is minted once the API answers', async () => {
    const id = sale('API-DOWN');
    gumroad.sales.set(id, apiSale(id));
    gumroad.down.add(id);
    await postGumroad(s.url, gumroadPing(id));
    const [pending] = await until(async () => {
      const evs = await events(id);
      return evs[0] && evs[0].attempts >= 2 ? evs : null;
    }, 10_000, 'failed attempts');
    expect(pending).toMatchObject({ processed: false, error: expect.stringMatching(/Gumroad API answered 503/), nextAttemptAt: expect.any(String) });
    expect(await s.store.getByOrderRef(`gumroad:${id}`)).toBeNull();
    gumroad.down.delete(id);
    await until(() => s.store.getByOrderRef(`gumroad:${id}`), 10_000, 'minted after the API came back');
  });

  it('the access token is never logged', () => {
    expect(s.logLines.join('')).not.toContain(ACCESS_TOKEN);
    expect(s.logLines.join('')).toContain('gumroad ping not confirmed by the API');
  });
});

it('an API that does not answer at all is a transient failure (the ping waits), naming no secret', async () => {
  const port = await freePort();
  const error = await lookUpSale({ baseUrl: `http://127.0.0.1:${port}`, accessToken: ACCESS_TOKEN }, 'S-1').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TransientFulfilmentError);
  expect(String((error as Error).message)).not.toContain(ACCESS_TOKEN);
  const refused = await lookUpSale({ baseUrl: gumroad.url, accessToken: 'wrong' }, 'S-1').catch((e: unknown) => e);
  expect(refused).not.toBeInstanceOf(TransientFulfilmentError);
  expect(String((refused as Error).message)).toMatch(/refused LICENSE_ADMIN_GUMROAD_ACCESS_TOKEN \(HTTP 401\)/);
});

it('a 404 is a wrong API address, not "no such sale" (that is 200 with success: false): the ping is not rejected on it', async () => {
  const wrongPath = await lookUpSale({ baseUrl: `${gumroad.url}/api`, accessToken: ACCESS_TOKEN }, 'S-1').catch((e: unknown) => e);
  expect(wrongPath).toBeInstanceOf(Error);
  expect(String((wrongPath as Error).message)).toMatch(/HTTP 404.*LICENSE_ADMIN_GUMROAD_API_URL/);
  expect(await lookUpSale({ baseUrl: gumroad.url, accessToken: ACCESS_TOKEN }, 'NO-SUCH-SALE')).toEqual({ found: false });
});
