// Pure: a license's activations (the machines holding its seats) are a function of the set of its activation
// events, whatever order they arrived in: sorted by (at, id), an `activated` adds one, a `deactivated` removes
// that one, an `activations_reset` removes every one before it.
import { compareEvents, type EventType, type LedgerEvent } from './events.js';

export const ACTIVATION_EVENTS: readonly EventType[] = ['activated', 'deactivated', 'activations_reset'];

export interface Activation {
  id: string;
  /** HMAC-SHA256 of the machine fingerprint under the server's secret (base64url); never the fingerprint. */
  fingerprintHash: string;
  label: string;
  activatedAt: string;
}

/** The data of an `activated` event. */
export interface ActivatedData {
  activationId: string;
  fingerprintHash: string;
  label: string;
}

export function projectActivations(events: readonly LedgerEvent[]): Activation[] {
  const active = new Map<string, Activation>();
  for (const e of [...events].sort(compareEvents)) {
    if (e.type === 'activated') {
      const d = e.data as unknown as ActivatedData;
      active.set(d.activationId, { id: d.activationId, fingerprintHash: d.fingerprintHash, label: typeof d.label === 'string' ? d.label : '', activatedAt: e.at });
    } else if (e.type === 'deactivated') active.delete(String(e.data.activationId));
    else if (e.type === 'activations_reset') active.clear();
  }
  // Oldest first: replace-oldest takes the first.
  return [...active.values()];
}
