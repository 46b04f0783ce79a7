// One HTTP call to a signing service (Vault, Google Cloud KMS over REST): a timeout on each attempt, and
// throttling (429), server errors (5xx), timeouts and refused connections retried with exponential backoff
// and jitter. What is left after the retries is a SignerUnavailableError (the server answers 503 and keeps
// sales queued). Secrets go in headers only; they never reach a message.
import { SignerUnavailableError } from '../license/signer.js';
import type { Env } from './remote-key.js';

export interface CallPolicy {
  timeoutMs: number;
  attempts: number;
  backoffMs: number;
}

export const TIMEOUT_ENV = 'LICENSE_ADMIN_SIGNER_TIMEOUT_MS';
export const ATTEMPTS_ENV = 'LICENSE_ADMIN_SIGNER_ATTEMPTS';
export const BACKOFF_ENV = 'LICENSE_ADMIN_SIGNER_BACKOFF_MS';

function positive(text: string | undefined, fallback: number, max: number): number {
  const n = Number(text);
  return text && Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

export function callPolicy(env: Env): CallPolicy {
  return {
    timeoutMs: positive(env[TIMEOUT_ENV], 10_000, 120_000),
    attempts: positive(env[ATTEMPTS_ENV], 4, 10),
    backoffMs: positive(env[BACKOFF_ENV], 250, 10_000),
  };
}

export interface HttpAnswer {
  status: number;
  body: unknown;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The delay before attempt `n + 1` (n >= 1): backoff * 2^(n-1), ±25 %, at least what Retry-After asks (capped). */
export function retryDelay(n: number, policy: CallPolicy, retryAfter: string | null): number {
  const base = policy.backoffMs * 2 ** (n - 1);
  const jittered = base * (0.75 + Math.random() * 0.5);
  const asked = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
  return Math.min(Math.max(jittered, asked), 30_000);
}

function transient(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * `who` names the backend in messages ("Vault transit key vault+https://…/transit/keys/license").
 * Answers that are not transient (2xx, 4xx other than 429) come back to the caller to interpret.
 */
export async function callSigningService(url: string, init: { method: string; headers: Record<string, string>; body?: unknown }, policy: CallPolicy, who: string): Promise<HttpAnswer> {
  let last = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    let retryAfter: string | null = null;
    try {
      const response = await fetch(url, {
        method: init.method,
        headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      const text = await response.text();
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = null;
      }
      if (!transient(response.status)) return { status: response.status, body };
      retryAfter = response.headers.get('retry-after');
      last = response.status === 429 ? 'throttled (429)' : `answered ${response.status}`;
    } catch (error) {
      const name = (error as Error)?.name;
      last = name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${policy.timeoutMs} ms` : `unreachable (${connectionProblem(error)})`;
    }
    if (attempt < policy.attempts) await sleep(retryDelay(attempt, policy, retryAfter));
  }
  throw new SignerUnavailableError(`${who} is not available: ${last} after ${policy.attempts} attempt${policy.attempts === 1 ? '' : 's'}; nothing was signed, try again later`);
}

function connectionProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? 'network error';
}
