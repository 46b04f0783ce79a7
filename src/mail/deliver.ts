// The outbox worker: claim due messages, send each, record the outcome. Used by the CLI after a commit and
// by `outbox retry`, and by the server on a timer. Storage-agnostic (any Outbox), transport-agnostic.
import { nextAttemptAt, type ClaimOptions, type Outbox, type OutboxMessage } from './outbox.js';
import { describeSmtpError, formatMailFailure, type MailFailure } from './smtp-errors.js';
import { MailSendError, type MailTransport } from './transport.js';

export interface DeliveryResult {
  id: number;
  to: string;
  messageId: string;
  licenseKeys: string[];
  /** 'sent'; 'pending' = failed, will be retried at nextAttemptAt; 'failed' = gave up (retry by hand). */
  status: 'sent' | 'pending' | 'failed';
  attempts: number;
  response?: string;
  failure?: MailFailure;
  nextAttemptAt?: string | null;
}

export interface DeliverOptions extends ClaimOptions {
  /** Most messages claimed in one call (default 100). */
  limit?: number;
  /** Messages in flight at once (default 1; a pooled transport makes more useful). */
  concurrency?: number;
}

export async function deliverDue(outbox: Outbox, transport: MailTransport, clock: () => Date, options: DeliverOptions = {}): Promise<DeliveryResult[]> {
  const { limit = 100, concurrency = 1, ...claim } = options;
  const claimed = await outbox.claimDue(clock(), limit, claim);
  const results: DeliveryResult[] = new Array(claimed.length);
  let next = 0;
  const worker = async () => {
    while (next < claimed.length) {
      const index = next++;
      results[index] = await deliverOne(outbox, transport, clock, claimed[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
  return results;
}

async function deliverOne(outbox: Outbox, transport: MailTransport, clock: () => Date, m: OutboxMessage): Promise<DeliveryResult> {
  const base = { id: m.id, to: m.to, messageId: m.messageId, licenseKeys: m.licenseKeys, attempts: m.attempts };
  let response: string;
  try {
    ({ response } = await transport.send(m));
  } catch (error) {
    const failure = error instanceof MailSendError ? error.failure : describeSmtpError(error, { host: '?', port: 0 });
    const now = clock();
    const retryAt = nextAttemptAt(m.attempts, now, failure.permanent);
    await outbox.markFailed(m.id, { at: now, error: formatMailFailure(failure), retryAt });
    return { ...base, status: retryAt ? 'pending' : 'failed', failure, nextAttemptAt: retryAt?.toISOString() ?? null };
  }
  // Outside the try: if recording fails after SMTP accepted, the row must not be marked for a retry.
  await outbox.markSent(m.id, { at: clock(), response });
  return { ...base, status: 'sent', response };
}
