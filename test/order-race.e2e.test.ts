// One order, one license, whatever path mints it: 10 admin mints (`/internal/mint {orderId: X}`, what
// `mint --remote --order-id X` sends) race 10 Gumroad pings `sale_id=X`, 20 trials, through the built
// `serve` — one on the SQLite ledger, two replicas on one PostgreSQL. Then the refund revokes that one license.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token.js';
import { signingKeyFromSeed } from '../src/license/ed25519-key.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';
import { startSmtp, type SmtpInstance } from './helpers/smtp.js';
import { freshDatabase, gumroadPing, postGumroad, until } from './helpers/server-harness.js';
import { setupServeHome, sql, startServe, type ServeProcess } from './helpers/serve-process.js';

const TRIALS = 20;
let cluster: PostgresInstance;
let smtp: SmtpInstance;
beforeAll(async () => {
  [cluster, smtp] = await Promise.all([startPostgres(), startSmtp()]);
});
afterAll(async () => {
  await smtp?.close();
  await cluster?.stop();
});

const adminKey = signingKeyFromSeed(randomBytes(32));
function adminMint(url: string, body: Record<string, unknown>): Promise<Response> {
  const text = JSON.stringify(body);
  const token = signAdminToken({ method: 'POST', path: '/internal/mint', body: text }, adminKey, new Date());
  return fetch(`${url}/internal/mint`, { method: 'POST', headers: { authorization: `LicenseAdmin ${token}`, 'content-type': 'application/json' }, body: text });
}

/** Every license that was ever minted for order X (a loser of a race would keep its license but lose the order). */
function mintedFor(kind: 'sqlite' | 'postgres', target: { home: string; databaseUrl?: string | undefined }, id: string) {
  const json = kind === 'postgres' ? (f: string) => `data->>'${f}'` : (f: string) => `json_extract(data, '$.${f}')`;
  return sql<{ license_key: string }>(target,
    `SELECT license_key FROM events WHERE type = 'minted' AND (${json('gumroadOrderId')} = ? OR ${json('orderRef')} = ?)`, [id, `gumroad:${id}`]);
}

describe.each(['sqlite', 'postgres'] as const)('admin mint racing a Gumroad ping on %s', (kind) => {
  it(`${TRIALS} trials of 10 + 10 concurrent requests: one license, one mail; the refund revokes it`, async () => {
    const databaseUrl = kind === 'postgres' ? await freshDatabase(cluster.url) : undefined;
    const home = await setupServeHome({ ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x }, smtp.port);
    const target = { home: home.home, databaseUrl };
    const servers: ServeProcess[] = [startServe(home), ...(kind === 'postgres' ? [startServe(home)] : [])];
    try {
      const urls = (await Promise.all(servers.map((s) => s.ready))).map((r) => r.url);
      const at = (i: number) => urls[i % urls.length]!;
      const ids = Array.from({ length: TRIALS }, (_, t) => `RACE-${kind}-${t}`);
      for (const id of ids) {
        const email = `buyer-${id.toLowerCase()}@example.com`;
        const requests = Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0 ? adminMint(at(i >> 1), { tier: 'pro', email, name: 'Ada Lovelace', orderId: id }) : postGumroad(at(i >> 1), gumroadPing(id)));
        const replies = await Promise.all(requests);
        expect(replies.map((r) => r.status).filter((s) => s !== 200 && s !== 201)).toEqual([]);
        const admin = (await Promise.all(replies.filter((_, i) => i % 2 === 0).map((r) => r.json()))) as { license: { licenseKey: string } }[];
        await until(async () => Number((await sql<{ n: number }>(target, 'SELECT count(*) AS n FROM payment_events WHERE order_ref = ? AND processed = ?', [`gumroad:${id}`, kind === 'postgres' ? false : 0]))[0]!.n) === 0, 15_000, `${id} processed`);
        const minted = await mintedFor(kind, target, id);
        expect(minted, `licenses minted for ${id}`).toHaveLength(1);
        expect(new Set(admin.map((a) => a.license.licenseKey))).toEqual(new Set([minted[0]!.license_key]));
      }

      for (const [i, id] of ids.entries()) expect((await postGumroad(at(i), gumroadPing(id, { resource_name: 'refund', refunded: 'true' }))).status).toBe(200);
      await until(async () => Number((await sql<{ n: number }>(target, "SELECT count(*) AS n FROM licenses WHERE order_ref LIKE ? AND revoked_at IS NULL", [`gumroad:RACE-${kind}-%`]))[0]!.n) === 0, 20_000, 'every order revoked');
      for (const id of ids) expect(await mintedFor(kind, target, id)).toHaveLength(1);
      const orders = await sql<{ revoke_reason: string }>(target, 'SELECT revoke_reason FROM licenses WHERE order_ref LIKE ?', [`gumroad:RACE-${kind}-%`]);
      expect(orders).toHaveLength(TRIALS);
      expect(orders.every((o) => o.revoke_reason === 'payment refunded')).toBe(true);

      const mine = () => smtp.inbox.filter((m) => m.envelope.rcptTo.some((r) => r.startsWith(`buyer-race-${kind}-`)));
      await until(async () => mine().length >= TRIALS, 20_000, 'one mail per order');
      await new Promise((r) => setTimeout(r, 1_500)); // a second mail would show up by now
      expect(mine()).toHaveLength(TRIALS);
      expect(new Set(mine().map((m) => m.envelope.rcptTo[0])).size).toBe(TRIALS);
    } finally {
      expect(await Promise.all(servers.map((s) => s.stop()))).toEqual(servers.map(() => 0));
    }
  }, 180_000);
});
