// PLACEHOLDER for the lead's src/server/rate-limit.ts (rate-limiter-flexible on the serve store, shared by
// replicas). Same interface as /work/shared-infra-spec.md; in-memory only. Replaced by main's file at merge.
import { createHash } from 'node:crypto';

export interface RateRule { points: number; perSeconds: number; blockSeconds?: number }
export interface RateDecision { allowed: boolean; retryAfterSeconds: number }
export interface RateLimit {
  consume(key: string): Promise<RateDecision>;
}
export interface RateLimits {
  define(name: string, rules: readonly RateRule[]): RateLimit;
  close(): Promise<void>;
}

export const SIGN_IN_RULES: readonly RateRule[] = [
  { points: 6, perSeconds: 60, blockSeconds: 15 * 60 },
  { points: 12, perSeconds: 3600, blockSeconds: 15 * 60 },
];

export function memoryRateLimits(clock: () => Date = () => new Date()): RateLimits {
  const limits = new Map<string, RateLimit>();
  const counters = new Map<string, { count: number; resetAt: number; blockedUntil: number }>();
  return {
    define(name, rules) {
      const existing = limits.get(name);
      if (existing) return existing;
      const limit: RateLimit = {
        async consume(key) {
          const now = clock().getTime();
          const hashed = createHash('sha256').update(key).digest('hex');
          let retry = 0;
          rules.forEach((rule, i) => {
            const id = `${name}:${i}:${hashed}`;
            let c = counters.get(id);
            if (!c || c.resetAt <= now) c = { count: 0, resetAt: now + rule.perSeconds * 1000, blockedUntil: c?.blockedUntil ?? 0 };
            c.count++;
            if (c.count > rule.points && rule.blockSeconds) c.blockedUntil = Math.max(c.blockedUntil, now + rule.blockSeconds * 1000);
            counters.set(id, c);
            if (c.blockedUntil > now) retry = Math.max(retry, Math.ceil((c.blockedUntil - now) / 1000));
            else if (c.count > rule.points) retry = Math.max(retry, Math.ceil((c.resetAt - now) / 1000));
          });
          return { allowed: retry === 0, retryAfterSeconds: retry };
        },
      };
      limits.set(name, limit);
      return limit;
    },
    async close() {},
  };
}
