// A failed attempt at an order (processing threw): stored on the order's pending payment events, so the
// order backs off on its own while every other order goes on, and is given up after the policy's attempts.
import { SignerUnavailableError } from '../../license/signer.js';
import type { ServerDeps } from '../deps.js';
import { afterFailedAttempt, DEFAULT_RETRY_POLICY, describeFailure, TransientFulfilmentError } from './retry-policy.js';

export interface RecordedFailure {
  attempts: number;
  /** When it is tried again; null = given up (failed, until `server retry`). */
  retryAt: Date | null;
  error: string;
}

export async function recordFailedAttempt(orderRef: string, failure: unknown, deps: ServerDeps): Promise<RecordedFailure> {
  const policy = deps.fulfilmentRetry ?? DEFAULT_RETRY_POLICY;
  const now = deps.clock();
  const message = describeFailure(failure);
  return deps.store.transaction(async (tx) => {
    const pending = await tx.pendingAttempts(orderRef);
    const attempts = pending.attempts + 1;
    const decision = afterFailedAttempt(attempts, policy, now, failure instanceof TransientFulfilmentError || failure instanceof SignerUnavailableError);
    const retryAt = 'retryAt' in decision ? decision.retryAt : null;
    const error = retryAt ? message : `gave up after ${attempts} attempts: ${message}`;
    if (pending.ids.length) await tx.markAttemptFailed(pending.ids, { attempts, error, retryAt, at: now });
    return { attempts, retryAt, error };
  }, { lockKey: orderRef });
}
