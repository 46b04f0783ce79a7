// The outbox contract, independent of storage: the CLI uses the SQLite ledger, the server a PostgreSQL
// store. A message is enqueued in the same transaction as the license event that caused it, then a
// worker (deliver.ts) claims due rows, sends them and marks them sent or failed.
//
// Exactly-once per idempotency key, as far as SMTP allows: a row is claimed (status 'sending' with a
// lease) in one atomic UPDATE before SMTP, and marked 'sent' right after the server accepts it. A crash in
// that window leaves a 'sending' row whose lease expires, and it is sent again (at-least-once): the only
// case of a duplicate, and the window is one SMTP round trip. A 'sent' row is never claimed again.

export type MaybePromise<T> = T | Promise<T>;

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';

/** What the mail is about: a minted/resent license, a renewed one, or a `mail test`. */
export type MailKind = 'license' | 'renewed' | 'test' | 'portal-sign-in' | 'reminder';

export interface MailAttachment {
  filename: string;
  content: string;
  contentType: string;
}

export interface NewOutboxMessage {
  /** One message per key, ever: "mint:<licenseKey>", "renew:<eventId>", "resend:<eventId>". */
  idempotencyKey: string;
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string | null;
  attachments: MailAttachment[];
  /** The RFC 5322 Message-ID, fixed at enqueue so a retry carries the same one ("<...@domain>"). */
  messageId: string;
  /** The licenses the message carries (mail_queued / mail_sent events are recorded for each). */
  licenseKeys: string[];
  createdAt: Date;
  /** Who asked for it when not the creator ("portal": the buyer), recorded on the mail_queued events. */
  requestedVia?: string;
}

export interface OutboxMessage extends Omit<NewOutboxMessage, 'createdAt'> {
  id: number;
  status: OutboxStatus;
  attempts: number;
  /** ISO timestamps. */
  createdAt: string;
  nextAttemptAt: string | null;
  claimedUntil: string | null;
  sentAt: string | null;
  lastError: string | null;
  smtpResponse: string | null;
}

export interface EnqueueResult {
  id: number;
  messageId: string;
  /** False when a message with this idempotency key already existed (nothing new was queued). */
  created: boolean;
}

export interface ClaimOptions {
  /** Only these ids (pending, failed, or 'sending' with an expired lease), whatever their schedule. */
  ids?: readonly number[];
  /** Ignore next_attempt_at and include 'failed' rows (a manual "retry everything"). */
  all?: boolean;
  /** How long the claim protects a row from other workers (default 5 minutes). */
  leaseMs?: number;
}

export interface SentInfo {
  at: Date;
  /** The SMTP server's final reply, e.g. "250 2.0.0 Ok: queued as 4F3A1". */
  response: string;
}

export interface FailureInfo {
  at: Date;
  /** Human-readable, secret-free reason. */
  error: string;
  /** When to try again; null means give up ('failed': still retryable by hand). */
  retryAt: Date | null;
}

export interface OutboxListFilter {
  statuses?: readonly OutboxStatus[];
  limit?: number;
}

/** `Tx` is whatever the store needs to join the caller's transaction (nothing for SQLite, a client for pg). */
export interface Outbox<Tx = unknown> {
  enqueue(message: NewOutboxMessage, tx: Tx): MaybePromise<EnqueueResult>;
  /** Atomically moves due rows to 'sending' (attempts + 1, lease until now + leaseMs) and returns them. */
  claimDue(now: Date, limit: number, options?: ClaimOptions): MaybePromise<OutboxMessage[]>;
  /** Only a row still 'sending' becomes 'sent'; returns false if it was not (e.g. cancelled meanwhile). */
  markSent(id: number, info: SentInfo): MaybePromise<boolean>;
  markFailed(id: number, info: FailureInfo): MaybePromise<void>;
  list(filter?: OutboxListFilter): MaybePromise<OutboxMessage[]>;
  get(id: number): MaybePromise<OutboxMessage | null>;
}

/** Delays after the 1st, 2nd, ... failed attempt. After the last one the message is 'failed'. */
export const RETRY_DELAYS_MS: readonly number[] = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 8 * 3_600_000, 24 * 3_600_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** When to try again after `attempts` failed attempts, or null to give up. Pure. */
export function nextAttemptAt(attempts: number, now: Date, permanent = false): Date | null {
  if (permanent || attempts >= MAX_ATTEMPTS) return null;
  const delay = RETRY_DELAYS_MS[Math.max(0, attempts - 1)] ?? RETRY_DELAYS_MS[RETRY_DELAYS_MS.length - 1]!;
  return new Date(now.getTime() + delay);
}

export const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * Would `candidate` tell the buyer exactly what `waiting` (not yet sent) already will? Same recipient,
 * kind, licenses and words: then a second message only means the buyer gets it twice. Pure.
 */
export function sameMessage(candidate: NewOutboxMessage, waiting: OutboxMessage): boolean {
  const keys = (k: readonly string[]) => [...k].map((x) => x.toUpperCase()).sort().join(',');
  return (
    waiting.to.toLowerCase() === candidate.to.toLowerCase() &&
    waiting.kind === candidate.kind &&
    keys(waiting.licenseKeys) === keys(candidate.licenseKeys) &&
    waiting.subject === candidate.subject &&
    waiting.text === candidate.text &&
    JSON.stringify(waiting.attachments) === JSON.stringify(candidate.attachments)
  );
}

/** Messages that are still to be delivered (or delivered by hand after giving up). */
export const UNSENT_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'failed'];
