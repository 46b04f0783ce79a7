// Rate limits shared by every replica: counters live in the server's database (rate-limiter-flexible's
// PostgreSQL table, or a small SQLite file of its own next to the ledger so a long CLI import holding the
// ledger's write lock never blocks a sign-in form). Keys are hashed before they are stored: a buyer's email
// or IP is never written down by the limiter.
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitBackend } from '../stores/store.js';

export interface RateRule {
  points: number;
  perSeconds: number;
  /** Once over the limit, refuse for this long (default: until the window ends). */
  blockSeconds?: number;
}

export interface RateDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise when to try again (what Retry-After says). */
  retryAfterSeconds: number;
}

export interface RateLimit {
  /** Takes one point from every rule for this key; the key is hashed (SHA-256) before it is stored. */
  consume(key: string): Promise<RateDecision>;
}

export interface RateLimits {
  /** A named limit (names are part of the stored key, so two limits never share counters). Cached by name. */
  define(name: string, rules: readonly RateRule[]): RateLimit;
  close(): Promise<void>;
}

/** Polar's default for sign-in forms: 6 a minute and 12 an hour, then a 15-minute block. */
export const SIGN_IN_RULES: readonly RateRule[] = Object.freeze([
  { points: 6, perSeconds: 60, blockSeconds: 900 },
  { points: 12, perSeconds: 3600, blockSeconds: 900 },
]);

const TABLE = 'rate_limits';

/** `openBackend` runs on the first `define`, so a server that never limits anything opens nothing. */
export function createRateLimits(openBackend: () => RateLimitBackend): RateLimits {
  let opened: RateLimitBackend | null = null;
  const limits = new Map<string, { rules: string; limit: RateLimit }>();
  const ready: Promise<unknown>[] = [];

  // The table is created here, once per process, rather than by each limiter: several limiters (and
  // replicas) racing the library's own CREATE TABLE on PostgreSQL fail with "relation already exists".
  let table: Promise<void> | null = null;
  function ensureTable(backend: RateLimitBackend): Promise<void> {
    return (table ??= createTable(backend));
  }

  function limiterFor(prefix: string, rule: RateRule): { limiter: RateLimiterAbstract; ready: Promise<void> } {
    const backend = (opened ??= openBackend());
    const options = { keyPrefix: prefix, points: rule.points, duration: rule.perSeconds, blockDuration: rule.blockSeconds ?? 0 };
    if (backend.kind === 'memory') return { limiter: new RateLimiterMemory(options), ready: Promise.resolve() };
    const stored = { ...options, tableName: TABLE, tableCreated: true, clearExpiredByTimeout: true };
    const limiter = backend.kind === 'postgres'
      ? new RateLimiterPostgres({ ...stored, storeClient: backend.pool, storeType: 'pool' })
      : new RateLimiterSQLite({ ...stored, storeClient: backend.db, storeType: 'better-sqlite3' });
    return { limiter, ready: ensureTable(backend) };
  }

  return {
    define(name, rules) {
      if (!/^[a-z0-9-]{1,40}$/.test(name)) throw new Error(`rate limit name ${JSON.stringify(name)}: use 1-40 lower-case letters, digits or dashes`);
      if (rules.length === 0 || rules.some((r) => !(Number.isInteger(r.points) && r.points > 0 && Number.isInteger(r.perSeconds) && r.perSeconds > 0))) {
        throw new Error(`rate limit ${name}: every rule needs whole, positive points and perSeconds`);
      }
      const signature = JSON.stringify(rules);
      const known = limits.get(name);
      if (known) {
        if (known.rules !== signature) throw new Error(`rate limit ${name} is defined twice with different rules`);
        return known.limit;
      }
      const limiters = rules.map((rule, i) => limiterFor(`${name}-${i}`, rule));
      ready.push(...limiters.map((l) => l.ready));
      const limit: RateLimit = {
        async consume(key) {
          const hashed = createHash('sha256').update(name).update('\0').update(key).digest('hex');
          let retryAfterMs = 0;
          for (const { limiter, ready } of limiters) {
            await ready;
            try {
              await limiter.consume(hashed);
            } catch (rejection) {
              // The library rejects with a RateLimiterRes when over the limit and with an Error when the
              // store failed; the latter is a real failure, not a "no".
              if (!(rejection instanceof RateLimiterRes)) throw rejection;
              retryAfterMs = Math.max(retryAfterMs, rejection.msBeforeNext);
            }
          }
          return retryAfterMs > 0 ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) } : { allowed: true, retryAfterSeconds: 0 };
        },
      };
      limits.set(name, { rules: signature, limit });
      return limit;
    },
    async close() {
      await Promise.allSettled(ready);
      if (opened?.kind === 'sqlite') opened.close?.();
      opened = null;
    },
  };
}

async function createTable(backend: RateLimitBackend): Promise<void> {
  if (backend.kind === 'sqlite') {
    backend.db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, points INTEGER NOT NULL DEFAULT 0, expire INTEGER)`);
  } else if (backend.kind === 'postgres') {
    try {
      await backend.pool.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
    } catch (error) {
      // Another replica created it at the same moment (IF NOT EXISTS does not cover the race).
      if (!['42P07', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
    }
  }
}
