// Rate limits shared by replicas (two stores on one database, as two `serve` processes would open), the
// client-IP rule for X-Forwarded-For, and the public URL for mail links.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientIpResolver } from '../src/server/client-ip.js';
import { publicUrlHolder } from '../src/server/deps-defaults.js';
import { openStore } from '../src/server/open-store.js';
import { createRateLimits, SIGN_IN_RULES } from '../src/server/rate-limit.js';
import type { ServerStore } from '../src/stores/store.js';
import { freshDatabase } from './helpers/server-harness.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';

let cluster: PostgresInstance;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => cluster?.stop());

async function twoReplicas(kind: 'sqlite' | 'postgres'): Promise<{ stores: ServerStore[]; ledgerFile: string; databaseUrl?: string }> {
  const ledgerFile = join(await mkdtemp(join(tmpdir(), 'la-rl-')), 'ledger.sqlite');
  const databaseUrl = kind === 'postgres' ? await freshDatabase(cluster.url) : undefined;
  const open = () => openStore({ ...(databaseUrl ? { databaseUrl } : {}), ledgerFile, random: (n) => randomBytes(n) });
  const stores = [await open(), await open()];
  for (const s of stores) await s.migrate();
  return { stores, ledgerFile, ...(databaseUrl ? { databaseUrl } : {}) };
}

describe.each(['sqlite', 'postgres'] as const)('shared rate limits on %s', (kind) => {
  it('two replicas share one counter: 6 sign-ins a minute in all, then a 15-minute block on both', async () => {
    const { stores } = await twoReplicas(kind);
    const limits = stores.map((s) => createRateLimits(() => s.rateLimitBackend()));
    try {
      const [a, b] = limits.map((l) => l.define('portal-signin-email', SIGN_IN_RULES));
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await (i % 2 === 0 ? a! : b!).consume('buyer@example.com'));
      expect(answers.every((d) => d.allowed)).toBe(true);
      const refused = await b!.consume('buyer@example.com');
      expect(refused.allowed).toBe(false);
      // The block (900 s), not the rest of the minute.
      expect(refused.retryAfterSeconds).toBeGreaterThan(800);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(900);
      expect((await a!.consume('buyer@example.com')).allowed).toBe(false);
      // Another key, and the same key under another name, have counters of their own.
      expect((await a!.consume('other@example.com')).allowed).toBe(true);
      expect((await limits[0]!.define('portal-signin-ip', SIGN_IN_RULES).consume('buyer@example.com')).allowed).toBe(true);
    } finally {
      for (const l of limits) await l.close();
      for (const s of stores) await s.close();
    }
  });

  it('stores only hashed keys: the email is nowhere in the counters', async () => {
    const { stores, ledgerFile, databaseUrl } = await twoReplicas(kind);
    const limits = createRateLimits(() => stores[0]!.rateLimitBackend());
    try {
      await limits.define('portal-signin-email', SIGN_IN_RULES).consume('secret.buyer@example.com');
      let stored: string;
      if (databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        stored = JSON.stringify((await client.query('SELECT * FROM rate_limits')).rows);
        await client.end();
      } else {
        await limits.close();
        stored = (await readFile(`${ledgerFile}.ratelimits`)).toString('latin1');
      }
      expect(stored).toMatch(/[0-9a-f]{64}/);
      expect(stored).not.toContain('secret.buyer');
    } finally {
      await limits.close();
      for (const s of stores) await s.close();
    }
  });
});

describe('rate limit definitions', () => {
  it('refuses bad names, empty or broken rules, and one name with two sets of rules', () => {
    const limits = createRateLimits(() => ({ kind: 'memory' }));
    expect(() => limits.define('Bad Name', SIGN_IN_RULES)).toThrow(/rate limit name/);
    expect(() => limits.define('x', [])).toThrow(/positive/);
    expect(() => limits.define('x', [{ points: 0, perSeconds: 60 }])).toThrow(/positive/);
    limits.define('x', [{ points: 1, perSeconds: 60 }]);
    expect(() => limits.define('x', [{ points: 2, perSeconds: 60 }])).toThrow(/defined twice/);
    expect(limits.define('x', [{ points: 1, perSeconds: 60 }])).toBe(limits.define('x', [{ points: 1, perSeconds: 60 }]));
  });

  it('a failing store is an error, never a quiet "allowed"', async () => {
    const { stores } = await twoReplicas('sqlite');
    const backend = stores[0]!.rateLimitBackend();
    const limits = createRateLimits(() => backend);
    const limit = limits.define('portal-action', [{ points: 5, perSeconds: 60 }]);
    expect((await limit.consume('k')).allowed).toBe(true);
    if (backend.kind === 'sqlite') backend.db.close();
    await expect(limit.consume('k')).rejects.toThrow();
    for (const s of stores) await s.close();
  });
});

describe('client IP', () => {
  async function askedFrom(trusted: string | undefined, forwardedFor?: string): Promise<string> {
    const resolve = clientIpResolver(trusted);
    const server = createServer((req, res) => res.end(resolve(req)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
      return await res.text();
    } finally {
      server.close();
    }
  }

  it('ignores X-Forwarded-For unless the peer is a configured proxy', async () => {
    expect(await askedFrom(undefined, '203.0.113.9')).toBe('127.0.0.1');
    expect(await askedFrom('10.0.0.0/8', '203.0.113.9')).toBe('127.0.0.1');
    expect(await askedFrom('loopback', '203.0.113.9')).toBe('203.0.113.9');
    // Only the hops the proxies vouch for: a client-written first entry is not believed.
    expect(await askedFrom('loopback', '198.51.100.1, 203.0.113.9')).toBe('203.0.113.9');
    expect(await askedFrom('127.0.0.1')).toBe('127.0.0.1');
  });

  it('a bad proxy list is a clear error at start', () => {
    expect(() => clientIpResolver('not-an-address')).toThrow(/LICENSE_ADMIN_TRUSTED_PROXIES/);
  });
});

describe('public URL', () => {
  it('is LICENSE_ADMIN_PUBLIC_URL when set, else where the server listens', () => {
    const listening = publicUrlHolder(undefined);
    listening.listeningOn('http://0.0.0.0:8787');
    expect(listening.get().href).toBe('http://127.0.0.1:8787/');
    const fixed = publicUrlHolder('https://licenses.example.com/base');
    fixed.listeningOn('http://127.0.0.1:8787');
    expect(fixed.get().href).toBe('https://licenses.example.com/base/');
    expect(() => publicUrlHolder('ftp://x')).toThrow(/http/);
    expect(() => publicUrlHolder('https://u:p@x.example')).toThrow(/plain base URL/);
    expect(() => publicUrlHolder('nonsense')).toThrow(/not a URL/);
  });
});
