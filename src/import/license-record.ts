// One license from the legacy JSONL log or from our own export (JSONL or CSV): validated and typed once.
// Pure: fields in, a record or the reason it is unusable out.
import { parseLicenseKey } from '../license/license-key.js';
import { normalizeTimestamp } from './dates.js';

export interface LicenseRecord {
  licenseKey: string;
  name: string;
  email: string;
  tier: string;
  issuedAt: string;
  expiresAt: string | null;
  /** Exactly as in the file: it is what the buyer holds. */
  blob: string;
  // Optional fields that `license-admin export` writes; undefined when the file does not have them.
  product?: string;
  updatesUntil?: string | null;
  gumroadOrderId?: string | null;
  orderRef?: string | null;
  revokedAt?: string | null;
  revokeReason?: string | null;
  notes?: string | null;
  source?: string;
  kid?: string | null;
  format?: string;
  verified?: boolean;
  /** A forgotten person's license: no name, email or blob, and a `forgotten` event on import. */
  forgottenAt?: string | null;
  /** From our export (JSONL: number / array; CSV: "5" / "a,b"); otherwise the blob's claims say. */
  seats?: number | null;
  features?: string[];
}

export type RecordResult = { ok: true; record: LicenseRecord } | { ok: false; reason: string };

type Fields = Record<string, unknown>;

/** null for missing, "" or null; a string otherwise; undefined marks a value of the wrong type. */
function text(fields: Fields, name: string): string | null | undefined {
  const v = fields[name];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? null : t;
}

function has(fields: Fields, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(fields, name);
}

export function licenseRecordFrom(fields: Fields): RecordResult {
  const fail = (reason: string): RecordResult => ({ ok: false, reason });
  for (const name of ['license_key', 'name', 'email', 'tier', 'issued_at', 'expires_at', 'product', 'updates_until', 'gumroad_order_id',
    'order_ref', 'revoked_at', 'revoke_reason', 'notes', 'source', 'kid', 'format', 'forgotten_at']) {
    if (text(fields, name) === undefined) return fail(`"${name}" must be a string`);
  }
  const keyText = text(fields, 'license_key');
  if (!keyText) return fail('no "license_key"');
  const key = parseLicenseKey(keyText);
  if (!key.ok) return fail(key.reason);
  const forgottenRaw = text(fields, 'forgotten_at') ?? null;
  const forgottenAt = forgottenRaw === null ? null : normalizeTimestamp(forgottenRaw);
  if (forgottenRaw !== null && forgottenAt === null) return fail(`"forgotten_at" is not a date: "${forgottenRaw}"`);
  const email = text(fields, 'email') ?? '';
  if (!email && !forgottenAt) return fail('no "email"');
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) return fail(`"${email}" is not an email address`);
  const tier = text(fields, 'tier')?.toLowerCase();
  if (!tier) return fail('no "tier"');
  if (!/^[a-z0-9]{1,16}$/.test(tier)) return fail(`tier "${tier}" is not a lower-case word`);
  // Our own export has no blob for a forgotten person; there is nothing a buyer holds to keep.
  const blob = typeof fields.blob === 'string' ? fields.blob : '';
  if (blob.trim() === '' && !forgottenAt) return fail('no "blob"');

  const dates: Record<string, string | null> = {};
  for (const name of ['issued_at', 'expires_at', 'updates_until', 'revoked_at']) {
    const raw = text(fields, name) ?? null;
    const iso = raw === null ? null : normalizeTimestamp(raw);
    if (raw !== null && iso === null) return fail(`"${name}" is not a date: "${raw}"`);
    dates[name] = iso;
  }
  if (!dates.issued_at) return fail('no "issued_at"');
  const verified = parseBool(fields.verified);
  if (verified === 'bad') return fail('"verified" must be true or false');
  const seats = parseSeats(fields.seats);
  if (seats === 'bad') return fail(`"seats" must be a whole number from 1 to 1000000, got ${JSON.stringify(fields.seats)}`);
  const features = parseFeatures(fields.features);
  if (features === 'bad') return fail('"features" must be a list of strings (JSON array, or comma-separated in CSV)');

  const record: LicenseRecord = {
    licenseKey: key.value.key, name: text(fields, 'name') ?? '', email, tier, issuedAt: dates.issued_at,
    expiresAt: dates.expires_at ?? null, blob,
  };
  const optional = (name: string) => (has(fields, name) ? (text(fields, name) ?? null) : undefined);
  const set = <K extends keyof LicenseRecord>(k: K, v: LicenseRecord[K] | undefined) => {
    if (v !== undefined) record[k] = v;
  };
  set('product', optional('product') ?? undefined);
  if (has(fields, 'updates_until')) record.updatesUntil = dates.updates_until ?? null;
  set('gumroadOrderId', optional('gumroad_order_id'));
  set('orderRef', optional('order_ref'));
  if (has(fields, 'revoked_at')) record.revokedAt = dates.revoked_at ?? null;
  set('revokeReason', optional('revoke_reason'));
  // Notes keep their inner line breaks; only the outer whitespace goes.
  if (has(fields, 'notes')) record.notes = typeof fields.notes === 'string' && fields.notes.trim() !== '' ? fields.notes.trim() : null;
  set('source', optional('source') ?? undefined);
  set('kid', optional('kid'));
  set('format', optional('format') ?? undefined);
  if (verified !== null) record.verified = verified;
  if (forgottenAt) record.forgottenAt = forgottenAt;
  if (has(fields, 'seats')) record.seats = seats;
  if (has(fields, 'features')) record.features = features;
  return { ok: true, record };
}

function parseSeats(v: unknown): number | null | 'bad' {
  if (v === undefined || v === null || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,7}\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 'bad';
}

function parseFeatures(v: unknown): string[] | 'bad' {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return v.split(',').map((f) => f.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((f) => typeof f === 'string')) return v.map((f) => f.trim()).filter(Boolean);
  return 'bad';
}

function parseBool(v: unknown): boolean | null | 'bad' {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return 'bad';
}
