// What the use cases hand back: the license as it now stands, whether anything changed, and exactly the
// events they wrote (the server returns them to the CLI; tests compare them across stores).
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseRow } from '../ledger/project.js';
import type { EnqueueResult } from '../mail/outbox.js';

export interface ChangeResult {
  license: LicenseRow;
  changed: boolean;
  events: LedgerEvent[];
  /** The license mail this call queued (or found queued under its idempotency key), if it was asked to. */
  mail: EnqueueResult | null;
}

export function unchanged(license: LicenseRow): ChangeResult {
  return { license, changed: false, events: [], mail: null };
}
