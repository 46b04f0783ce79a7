// The public shape of a license in --json output (a scripting contract: keep field names stable).
import type { LicenseRow } from './project.js';

export type LicenseStatus = 'active' | 'expired' | 'revoked';

export interface LicenseView {
  licenseKey: string;
  product: string;
  name: string;
  email: string;
  tier: string;
  status: LicenseStatus;
  issuedAt: string;
  expiresAt: string | null;
  updatesUntil: string | null;
  /** Scripting contract: a number or null (no seat count claimed). */
  seats: number | null;
  /** Scripting contract: always an array, possibly empty. */
  features: string[];
  revokedAt: string | null;
  revokeReason: string | null;
  gumroadOrderId: string | null;
  orderRef: string | null;
  notes: string | null;
  source: string;
  kid: string | null;
  format: string;
  verified: boolean;
  forgotten: boolean;
  blob: string;
  updatedAt: string;
}

export function licenseStatus(row: Pick<LicenseRow, 'revokedAt' | 'expiresAt'>, now: Date): LicenseStatus {
  if (row.revokedAt) return 'revoked';
  if (row.expiresAt && Date.parse(row.expiresAt) <= now.getTime()) return 'expired';
  return 'active';
}

export function toView(row: LicenseRow, now: Date): LicenseView {
  return {
    licenseKey: row.licenseKey,
    product: row.product,
    name: row.name,
    email: row.email,
    tier: row.tier,
    status: licenseStatus(row, now),
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
    updatesUntil: row.updatesUntil,
    seats: row.seats,
    features: row.features,
    revokedAt: row.revokedAt,
    revokeReason: row.revokeReason,
    gumroadOrderId: row.gumroadOrderId,
    orderRef: row.orderRef,
    notes: row.notes,
    source: row.source,
    kid: row.kid,
    format: row.format,
    verified: row.verified,
    forgotten: row.forgottenAt !== null,
    blob: row.blob,
    updatedAt: row.updatedAt,
  };
}

/** "active", "expires in 12 days", "expired 3 days ago", "revoked": for people. */
export function describeStatus(row: LicenseRow, now: Date): string {
  const status = licenseStatus(row, now);
  if (status === 'revoked') return `revoked ${row.revokedAt!.slice(0, 10)}${row.revokeReason ? ` (${row.revokeReason})` : ''}`;
  if (!row.expiresAt) return 'active (lifetime)';
  const days = Math.round((Date.parse(row.expiresAt) - now.getTime()) / 86_400_000);
  if (status === 'expired') return days === 0 ? 'expired today' : `expired ${-days} day${days === -1 ? '' : 's'} ago`;
  return days <= 60 ? `active, expires in ${days} day${days === 1 ? '' : 's'}` : `active until ${row.expiresAt.slice(0, 10)}`;
}
