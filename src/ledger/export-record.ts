// One exported license: the legacy JSONL log's fields (license_key … blob) first, then ours.
import type { LicenseRow } from './project.js';

export const EXPORT_FIELDS = [
  'license_key', 'name', 'email', 'tier', 'issued_at', 'expires_at', 'blob',
  'product', 'updates_until', 'gumroad_order_id', 'order_ref', 'revoked_at', 'revoke_reason', 'notes', 'source', 'kid', 'format', 'verified',
  'forgotten_at', 'seats', 'features',
] as const;

export type ExportRecord = Record<(typeof EXPORT_FIELDS)[number], string | boolean | number | string[] | null>;

export function exportRecord(r: LicenseRow): ExportRecord {
  return {
    license_key: r.licenseKey, name: r.name, email: r.email, tier: r.tier, issued_at: r.issuedAt, expires_at: r.expiresAt, blob: r.blob,
    product: r.product, updates_until: r.updatesUntil, gumroad_order_id: r.gumroadOrderId, order_ref: r.orderRef, revoked_at: r.revokedAt,
    revoke_reason: r.revokeReason, notes: r.notes, source: r.source, kid: r.kid, format: r.format, verified: r.verified,
    forgotten_at: r.forgottenAt, seats: r.seats, features: r.features,
  };
}
