// Pure: a license's row is a function of the set of its events, whatever order they arrived in.
import { claimedEntitlements, entitlementsFrom, NO_ENTITLEMENTS } from './entitlements.js';
import { compareEvents, STATE_EVENTS, type LedgerEvent, type MintData } from './events.js';
import { canonicalOrderRef } from './order-identity.js';

export interface LicenseRow {
  licenseKey: string;
  product: string;
  name: string;
  email: string;
  tier: string;
  issuedAt: string;
  expiresAt: string | null;
  updatesUntil: string | null;
  blob: string;
  kid: string | null;
  format: string;
  gumroadOrderId: string | null;
  orderRef: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  notes: string | null;
  source: string;
  verified: boolean;
  forgottenAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Null: the license claims no seat count. */
  seats: number | null;
  features: string[];
}

export function projectLicense(events: readonly LedgerEvent[]): LicenseRow | null {
  const ordered = events.filter((e) => STATE_EVENTS.has(e.type)).sort(compareEvents);
  const origin = ordered.find((e) => e.type === 'minted' || e.type === 'imported');
  if (!origin) return null;
  const d = origin.data as unknown as MintData;
  const entitled = entitlementsFrom(origin.data, () => claimedEntitlements(d.blob) ?? NO_ENTITLEMENTS);
  const row: LicenseRow = {
    licenseKey: origin.licenseKey,
    product: d.product,
    name: d.name,
    email: d.email,
    tier: d.tier,
    issuedAt: d.issuedAt,
    expiresAt: d.expiresAt ?? null,
    updatesUntil: d.updatesUntil ?? null,
    blob: d.blob,
    kid: d.kid ?? null,
    format: d.format ?? 'jws',
    gumroadOrderId: d.gumroadOrderId ?? null,
    // Events minted before order refs were canonical carry only the bare id: the same order, one form.
    orderRef: canonicalOrderRef(d.gumroadOrderId, d.orderRef),
    revokedAt: null,
    revokeReason: null,
    notes: d.note ? d.note : null,
    source: origin.source,
    verified: d.verified !== false,
    forgottenAt: null,
    createdAt: origin.at,
    updatedAt: origin.at,
    seats: entitled.seats,
    features: entitled.features,
  };
  for (const e of ordered) {
    if (e === origin) continue;
    const data = e.data;
    switch (e.type) {
      case 'renewed':
        row.expiresAt = (data.expiresAt as string | null) ?? null;
        row.blob = data.blob as string;
        row.kid = (data.kid as string | null) ?? row.kid;
        row.format = (data.format as string | undefined) ?? row.format;
        row.verified = true;
        setEntitlements(row, data);
        break;
      case 'reissued':
        row.blob = data.blob as string;
        row.kid = (data.kid as string | null) ?? row.kid;
        row.format = (data.format as string | undefined) ?? row.format;
        row.verified = true;
        setEntitlements(row, data);
        break;
      case 'changed':
        if (typeof data.email === 'string') row.email = data.email;
        if (typeof data.name === 'string') row.name = data.name;
        if (typeof data.tier === 'string') row.tier = data.tier;
        row.blob = data.blob as string;
        row.kid = (data.kid as string | null) ?? row.kid;
        row.format = (data.format as string | undefined) ?? row.format;
        row.verified = true;
        break;
      case 'revoked':
        row.revokedAt = e.at;
        row.revokeReason = (data.reason as string | undefined) || null;
        break;
      case 'reinstated':
        row.revokedAt = null;
        row.revokeReason = null;
        break;
      case 'note_added':
        row.notes = row.notes ? `${row.notes}\n${String(data.text)}` : String(data.text);
        break;
      case 'forgotten':
        row.forgottenAt ??= e.at;
        break;
      default:
        continue;
    }
    row.updatedAt = e.at;
  }
  if (row.forgottenAt) {
    row.name = '';
    row.email = '';
    row.blob = '';
    row.notes = null;
  }
  return row;
}

/** A re-signing event changes seats or features only where its data says so (older ones never do). */
function setEntitlements(row: LicenseRow, data: Record<string, unknown>): void {
  const next = entitlementsFrom(data, () => ({ seats: row.seats, features: row.features }));
  row.seats = next.seats;
  row.features = next.features;
}
