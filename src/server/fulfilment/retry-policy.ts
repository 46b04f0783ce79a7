// How a failing order backs off (pure): the n-th failed attempt waits baseMs·2^(n-1), capped; after
// maxAttempts the order is given up (marked failed, visible in `server events`, back with `server retry`).
// A transient failure (an upstream API down) keeps backing off at the cap instead of giving up.

export interface RetryPolicy {
  /** Wait after the first failed attempt (LICENSE_ADMIN_FULFILMENT_RETRY_MS, default 1000). */
  baseMs: number;
  /** Failed attempts before the order is given up (LICENSE_ADMIN_FULFILMENT_MAX_ATTEMPTS, default 10). */
  maxAttempts: number;
  /** The longest wait between two attempts. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1_000, maxAttempts: 10, maxDelayMs: 15 * 60_000 };

export const RETRY_ENV = { baseMs: 'LICENSE_ADMIN_FULFILMENT_RETRY_MS', maxAttempts: 'LICENSE_ADMIN_FULFILMENT_MAX_ATTEMPTS' } as const;

export type RetryDecision = { retryAt: Date } | { giveUp: true };

export function afterFailedAttempt(attempts: number, policy: RetryPolicy, now: Date, transient = false): RetryDecision {
  if (!transient && attempts >= policy.maxAttempts) return { giveUp: true };
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const delay = Math.min(policy.baseMs * 2 ** exponent, policy.maxDelayMs);
  return { retryAt: new Date(now.getTime() + delay) };
}

/** A failure worth waiting out (the cause is elsewhere and passes): backs off but never gives up. */
export class TransientFulfilmentError extends Error {
  override name = 'TransientFulfilmentError';
}

/** What is stored and shown for a failed attempt: the error's kind and message, bounded. */
export function describeFailure(error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const text = `${e.name}: ${e.message}`.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
