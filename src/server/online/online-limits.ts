// Rate limits on every online route (ours and the compatible ones), shared across replicas through the
// server's rate-limit module: per client IP and per license key, checked before any lookup, so guessing keys
// costs the same limit whether they exist or not. Defaults sit above Lemon Squeezy's own 60 a minute;
// LICENSE_ADMIN_ONLINE_IP_PER_MINUTE / LICENSE_ADMIN_ONLINE_KEY_PER_MINUTE change them.
import { httpError } from '../http-error.js';
import type { RateRule } from '../rate-limit.js';
import type { RequestContext } from '../router.js';

const perMinute = (value: string | undefined, fallback: number): readonly RateRule[] => [{ points: value && /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : fallback, perSeconds: 60 }];

export async function limitOnline(ctx: RequestContext, keyInput: unknown): Promise<void> {
  const env = ctx.deps.env;
  const checks = [ctx.deps.rateLimits.define('online-ip', perMinute(env.LICENSE_ADMIN_ONLINE_IP_PER_MINUTE, 120)).consume(ctx.deps.clientIp(ctx.req))];
  if (typeof keyInput === 'string' && keyInput !== '') {
    checks.push(ctx.deps.rateLimits.define('online-key', perMinute(env.LICENSE_ADMIN_ONLINE_KEY_PER_MINUTE, 60)).consume(keyInput.trim().toUpperCase()));
  }
  const decisions = await Promise.all(checks);
  const refused = decisions.find((d) => !d.allowed);
  if (refused) throw httpError(429, 'rate_limited', 'too many license requests; try again later', { 'retry-after': String(Math.max(1, refused.retryAfterSeconds)) });
}
