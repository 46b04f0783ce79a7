// Between SQLite rows (snake_case) and LicenseRow / LedgerEvent.
import { validFeatures, validSeats } from './entitlements.js';
import type { LedgerEvent } from './events.js';
import type { LicenseRow } from './project.js';

export type SqlRow = Record<string, unknown>;

export const LICENSE_COLUMNS = [
  'license_key', 'product', 'name', 'email', 'tier', 'issued_at', 'expires_at', 'updates_until', 'blob', 'kid', 'format',
  'gumroad_order_id', 'order_ref', 'revoked_at', 'revoke_reason', 'notes', 'source', 'verified', 'forgotten_at', 'created_at', 'updated_at',
  'seats', 'features',
] as const;

export function licenseToParams(r: LicenseRow): unknown[] {
  return [
    r.licenseKey, r.product, r.name, r.email, r.tier, r.issuedAt, r.expiresAt, r.updatesUntil, r.blob, r.kid, r.format,
    r.gumroadOrderId, r.orderRef, r.revokedAt, r.revokeReason, r.notes, r.source, r.verified ? 1 : 0, r.forgottenAt, r.createdAt, r.updatedAt,
    r.seats, JSON.stringify(r.features),
  ];
}

export function rowToLicense(r: SqlRow): LicenseRow {
  return {
    licenseKey: r.license_key as string,
    product: r.product as string,
    name: r.name as string,
    email: r.email as string,
    tier: r.tier as string,
    issuedAt: r.issued_at as string,
    expiresAt: (r.expires_at as string | null) ?? null,
    updatesUntil: (r.updates_until as string | null) ?? null,
    blob: r.blob as string,
    kid: (r.kid as string | null) ?? null,
    format: r.format as string,
    gumroadOrderId: (r.gumroad_order_id as string | null) ?? null,
    orderRef: (r.order_ref as string | null) ?? null,
    revokedAt: (r.revoked_at as string | null) ?? null,
    revokeReason: (r.revoke_reason as string | null) ?? null,
    notes: (r.notes as string | null) ?? null,
    source: r.source as string,
    verified: r.verified === 1,
    forgottenAt: (r.forgotten_at as string | null) ?? null,
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    seats: validSeats(typeof r.seats === 'bigint' ? Number(r.seats) : r.seats),
    features: featuresColumn(r.features),
  };
}

/** The features column holds a JSON array of strings. */
function featuresColumn(v: unknown): string[] {
  if (typeof v !== 'string' || v === '') return [];
  try {
    return validFeatures(JSON.parse(v));
  } catch {
    return [];
  }
}

export function rowToEvent(r: SqlRow): LedgerEvent & { seq: number } {
  return {
    seq: r.seq as number,
    id: r.id as string,
    licenseKey: r.license_key as string,
    type: r.type as LedgerEvent['type'],
    at: r.at as string,
    actor: r.actor as string,
    source: r.source as string,
    data: JSON.parse(r.data as string) as Record<string, unknown>,
  };
}
