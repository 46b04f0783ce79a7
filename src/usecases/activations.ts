// Online activations: a machine takes one of a license's seats, gives it back, or the creator clears them all.
// The rules live here once, for the server's API, its compatible APIs and the CLI: which licenses may
// activate, what the limit is (the license's seats, else the product's policy), what happens at the limit.
import { projectActivations, type Activation } from '../ledger/activations.js';
import type { LedgerEvent } from '../ledger/events.js';
import { licenseStatus } from '../ledger/license-view.js';
import type { LicenseRow } from '../ledger/project.js';
import { eventAfter, type EventContext } from './context.js';
import { requireLicense } from './find-license.js';
import type { LedgerTx } from './ledger-port.js';

export interface ActivationPolicy {
  limit: number;
  onLimit: 'refuse' | 'replace-oldest';
}

/** How a license stands for an online check, in words (the API's `status`). */
export type Standing = 'valid' | 'expired' | 'revoked' | 'unknown';

export interface ActivateRequest {
  /** The canonical key (parsed, check character verified, by the adapter). */
  licenseKey: string;
  /** The machine fingerprint's keyed hash: the adapter holds the secret. */
  fingerprintHash: string;
  label: string;
}

export type ActivateResult =
  | { status: 'activated'; license: LicenseRow; activation: Activation; created: boolean; replaced: Activation[]; activations: Activation[]; limit: number; events: LedgerEvent[] }
  | { status: Exclude<Standing, 'valid'> | 'too_many_machines'; license: LicenseRow | null; activations: Activation[]; limit: number | null; events: [] };

export function standingOf(row: LicenseRow | null, now: Date): Standing {
  if (!row || row.forgottenAt) return 'unknown';
  const status = licenseStatus(row, now);
  return status === 'active' ? 'valid' : status;
}

/** The license's seat limit: its own `seats` claim overrides the product's policy. */
export function activationLimit(row: LicenseRow, policy: ActivationPolicy): number {
  return row.seats ?? policy.limit;
}

/** A license and its current activations, with the license held (see LedgerTx.lockLicense) when it exists. */
async function loadHeld(tx: LedgerTx, licenseKey: string): Promise<{ row: LicenseRow | null; activations: Activation[] }> {
  await tx.lockLicense(licenseKey);
  const row = await tx.getLicense(licenseKey);
  // Read the activations for an unknown key too: a miss costs what a hit costs (no enumeration by timing).
  const events = await tx.activationEvents(row?.licenseKey ?? licenseKey);
  return { row, activations: row ? projectActivations(events) : [] };
}

export async function activateMachine(tx: LedgerTx, req: ActivateRequest, policy: ActivationPolicy, ctx: EventContext): Promise<ActivateResult> {
  const { row, activations } = await loadHeld(tx, req.licenseKey);
  const standing = standingOf(row, ctx.clock());
  if (!row || standing !== 'valid') return { status: standing === 'valid' ? 'unknown' : standing, license: row, activations, limit: null, events: [] };
  const limit = activationLimit(row, policy);
  const same = activations.find((a) => a.fingerprintHash === req.fingerprintHash);
  if (same) return { status: 'activated', license: row, activation: same, created: false, replaced: [], activations, limit, events: [] };
  const over = activations.length + 1 - limit;
  if (over > 0 && (policy.onLimit === 'refuse' || limit < 1)) return { status: 'too_many_machines', license: row, activations, limit, events: [] };
  const replaced = over > 0 ? activations.slice(0, over) : [];
  const events: LedgerEvent[] = [];
  let last = await tx.lastEventAt(row.licenseKey);
  for (const old of replaced) {
    events.push(eventAfter(ctx, 'deactivated', row.licenseKey, { activationId: old.id, reason: 'replaced' }, last));
    last = events[events.length - 1]!.at;
  }
  const activationId = newActivationId(ctx.random);
  const activated = eventAfter(ctx, 'activated', row.licenseKey, { activationId, fingerprintHash: req.fingerprintHash, label: req.label }, last);
  events.push(activated);
  await tx.applyEvents(events);
  const activation: Activation = { id: activationId, fingerprintHash: req.fingerprintHash, label: req.label, activatedAt: activated.at };
  const now = [...activations.filter((a) => !replaced.includes(a)), activation];
  return { status: 'activated', license: row, activation, created: true, replaced, activations: now, limit, events };
}

export type DeactivateResult =
  | { status: 'deactivated'; license: LicenseRow; activation: Activation; activations: Activation[]; events: LedgerEvent[] }
  | { status: 'unknown' | 'activation_unknown'; license: LicenseRow | null; activations: Activation[]; events: [] };

/** Frees a seat. Allowed for any license it knows (a revoked license's machines may still be released). */
export async function deactivateMachine(tx: LedgerTx, licenseKey: string, activationId: string, ctx: EventContext): Promise<DeactivateResult> {
  const { row, activations } = await loadHeld(tx, licenseKey);
  if (!row || row.forgottenAt) return { status: 'unknown', license: row, activations, events: [] };
  const activation = activations.find((a) => a.id === activationId);
  if (!activation) return { status: 'activation_unknown', license: row, activations, events: [] };
  const event = eventAfter(ctx, 'deactivated', row.licenseKey, { activationId }, await tx.lastEventAt(row.licenseKey));
  await tx.applyEvents([event]);
  return { status: 'deactivated', license: row, activation, activations: activations.filter((a) => a !== activation), events: [event] };
}

/** `activations reset <key>`: every machine loses its seat; a no-op when none holds one. */
export async function resetActivations(tx: LedgerTx, keyInput: string, ctx: EventContext): Promise<{ license: LicenseRow; cleared: Activation[]; events: LedgerEvent[] }> {
  const license = await requireLicense(tx, keyInput);
  const { activations } = await loadHeld(tx, license.licenseKey);
  if (activations.length === 0) return { license, cleared: [], events: [] };
  const event = eventAfter(ctx, 'activations_reset', license.licenseKey, { count: activations.length }, await tx.lastEventAt(license.licenseKey));
  await tx.applyEvents([event]);
  return { license, cleared: activations, events: [event] };
}

export async function listActivations(tx: Pick<LedgerTx, 'getLicense' | 'missingLicense' | 'activationEvents'>, keyInput: string): Promise<{ license: LicenseRow; activations: Activation[] }> {
  const license = await requireLicense(tx, keyInput);
  return { license, activations: projectActivations(await tx.activationEvents(license.licenseKey)) };
}

export interface CheckRequest {
  licenseKey: string;
  /** Milk's "email + code": a wrong email answers `unknown`, exactly as an unknown key does. */
  email?: string;
  fingerprintHash?: string;
}

export interface CheckResult {
  status: Standing | 'machine_unknown';
  license: LicenseRow | null;
  activation: Activation | null;
  activations: Activation[];
}

/** The online validation: how the license stands, and whether this machine holds one of its seats. Writes nothing. */
export async function checkLicense(tx: Pick<LedgerTx, 'getLicense' | 'activationEvents'>, req: CheckRequest, now: Date): Promise<CheckResult> {
  const found = await tx.getLicense(req.licenseKey);
  const events = await tx.activationEvents(found?.licenseKey ?? req.licenseKey);
  const emailOk = req.email === undefined || (found !== null && found.email.trim().toLowerCase() === req.email.trim().toLowerCase());
  const row = emailOk ? found : null;
  const standing = standingOf(row, now);
  if (!row || standing === 'unknown') return { status: 'unknown', license: null, activation: null, activations: [] };
  const activations = projectActivations(events);
  const activation = req.fingerprintHash === undefined ? null : (activations.find((a) => a.fingerprintHash === req.fingerprintHash) ?? null);
  const status = standing === 'valid' && req.fingerprintHash !== undefined && !activation ? 'machine_unknown' : standing;
  return { status, license: row, activation, activations };
}

function newActivationId(random: (n: number) => Uint8Array): string {
  return `act_${Array.from(random(12), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
