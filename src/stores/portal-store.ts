// What the buyer portal keeps: single-use sign-in tokens, sessions and the reminders already queued. Only
// SHA-256 hashes of tokens and session ids are stored (src/portal/secrets.ts). Both stores implement it
// with conditional writes (DELETE ... RETURNING, INSERT ... ON CONFLICT DO NOTHING), so replicas sharing
// one database never both accept a token or both queue a reminder.
export interface NewPortalToken {
  hash: string;
  email: string;
  purpose: string;
  expiresAt: Date;
  createdAt: Date;
}

export interface NewPortalSession {
  hash: string;
  email: string;
  csrfSecret: string;
  expiresAt: Date;
  createdAt: Date;
}

export interface PortalSession {
  email: string;
  csrfSecret: string;
  expiresAt: string;
}

export interface PortalStore {
  /** Stores a token (and prunes expired tokens and sessions). */
  addToken(token: NewPortalToken): Promise<void>;
  /** Deletes the token if it is unexpired and of this purpose, and returns its email; null otherwise. Atomic. */
  consumeToken(hash: string, purpose: string, now: Date): Promise<string | null>;
  addSession(session: NewPortalSession): Promise<void>;
  session(hash: string, now: Date): Promise<PortalSession | null>;
  endSession(hash: string): Promise<void>;
  /** True when this (license, date) had no reminder yet: the caller queues it. */
  claimReminder(licenseKey: string, remindOn: string, daysBefore: number, at: Date): Promise<boolean>;
  /** Of these licenses, the reminders already queued, as "LICENSEKEY|YYYY-MM-DD" (key upper-case). */
  remindersQueued(licenseKeys: readonly string[]): Promise<Set<string>>;
}

export const reminderId = (licenseKey: string, remindOn: string): string => `${licenseKey.toUpperCase()}|${remindOn}`;
