// The events an imported license becomes. Ids are derived from the content, so importing the same
// file twice, or on two machines, yields the same events (and ON CONFLICT DO NOTHING keeps one). Pure.
import { createHash } from 'node:crypto';
import type { EventType, LedgerEvent, MintData } from '../ledger/events.js';
import type { LicenseRecord } from './license-record.js';

export interface ImportDefaults {
  product: string;
  format: string;
  actor: string;
}

export interface BlobCheck {
  verified: boolean;
  kid: string | null;
  /** The format the blob is really in, when it is not the configured one (e.g. "legacy:DTLIC2"). */
  format?: string;
}

export function deterministicEventId(licenseKey: string, type: EventType, at: string, data: unknown): string {
  const hash = createHash('sha256').update(`${licenseKey.toUpperCase()}\0${type}\0${at}\0${JSON.stringify(data)}`).digest('hex');
  return `import-${hash.slice(0, 40)}`;
}

function event(licenseKey: string, type: EventType, at: string, actor: string, source: string, data: Record<string, unknown>, idData: Record<string, unknown> = data): LedgerEvent {
  // What this machine could verify is not part of the fact being imported: keep it out of the id.
  // Seats and features are the blob's claims (already in the id), so an older export without them is the same fact.
  const { verified: _verified, kid: _kid, seats: _seats, features: _features, ...identity } = idData;
  return { id: deterministicEventId(licenseKey, type, at, identity), licenseKey, type, at, actor, source, data };
}

export function mintDataFor(r: LicenseRecord, defaults: ImportDefaults, check: BlobCheck): MintData {
  return {
    product: r.product ?? defaults.product,
    name: r.name,
    email: r.email,
    tier: r.tier,
    issuedAt: r.issuedAt,
    expiresAt: r.expiresAt,
    updatesUntil: r.updatesUntil ?? null,
    blob: r.blob,
    kid: r.kid ?? check.kid,
    format: r.format ?? check.format ?? defaults.format,
    gumroadOrderId: r.gumroadOrderId ?? null,
    orderRef: r.orderRef ?? null,
    // A forgotten license has no blob left to check: keep what the exporting ledger knew.
    verified: r.forgottenAt ? r.verified !== false : check.verified && r.verified !== false,
    ...(r.seats !== undefined ? { seats: r.seats } : {}),
    ...(r.features !== undefined ? { features: r.features } : {}),
  };
}

/** `imported` (dated when it was issued), then `revoked` at its revocation date and the notes, if any. */
export function eventsForRecord(r: LicenseRecord, defaults: ImportDefaults, check: BlobCheck): LedgerEvent[] {
  const source = r.source ?? 'import';
  const data = mintDataFor(r, defaults, check) as unknown as Record<string, unknown>;
  // The id uses the declared format, as it always has: the detected one is what this machine could read.
  const idData = { ...data, format: r.format ?? defaults.format };
  const events = [event(r.licenseKey, 'imported', r.issuedAt, defaults.actor, source, data, idData)];
  if (r.revokedAt) events.push(event(r.licenseKey, 'revoked', r.revokedAt, defaults.actor, 'import', r.revokeReason ? { reason: r.revokeReason } : {}));
  if (r.notes) events.push(event(r.licenseKey, 'note_added', r.issuedAt, defaults.actor, 'import', { text: r.notes }));
  if (r.forgottenAt) events.push(event(r.licenseKey, 'forgotten', r.forgottenAt, defaults.actor, 'import', {}));
  return events;
}
