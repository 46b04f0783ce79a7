// What `serve` reads from the environment besides secrets, checked before it listens: the port flags, the
// fulfilment retry policy, whether Gumroad pings are confirmed through the API.
import type { AppContext } from '../cli/app-context.js';
import { parsePositiveInt } from '../cli/parse-flags.js';
import { UsageError, UserError } from '../errors.js';
import { gumroadApiFrom } from '../server/fulfilment/gumroad-api.js';
import { DEFAULT_RETRY_POLICY, RETRY_ENV, type RetryPolicy } from '../server/fulfilment/retry-policy.js';

/** Whether Gumroad pings are confirmed through the API; a bad API URL stops serve before it listens. */
export function checkGumroadApi(env: AppContext['env']): boolean {
  try {
    return gumroadApiFrom(env) !== null;
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

export function retryPolicy(env: AppContext['env']): RetryPolicy {
  const read = (name: string, max: number, fallback: number) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const n = parsePositiveInt(text, name);
    if (n > max) throw new UsageError(`${name} must be at most ${max}, got ${text}`);
    return n;
  };
  return {
    ...DEFAULT_RETRY_POLICY,
    baseMs: read(RETRY_ENV.baseMs, 3_600_000, DEFAULT_RETRY_POLICY.baseMs),
    maxAttempts: read(RETRY_ENV.maxAttempts, 1_000, DEFAULT_RETRY_POLICY.maxAttempts),
  };
}

export function parsePort(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag} must be a port number (0-65535), got "${text}"`);
  return n;
}
