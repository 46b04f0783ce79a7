// From what the creator asked for to the claims that get signed.
import { UserError } from '../errors.js';
import { FORMAT_VERSION, isSignableDate, type LicenseClaims } from '../verify/claims.js';

export interface LicenseTerms {
  product: string;
  licenseKey: string;
  name: string;
  email: string;
  tier: string;
  issuedAt: Date;
  expiresAt: Date | null;
  updatesUntil?: Date | null;
  seats?: number;
  features?: string[];
}

export const SIGNABLE_DATES_TEXT = 'from 2000-01-01 to the end of 2199 (UTC)';

/** Whole epoch seconds of a date a license may carry; anything else is refused before it is signed. */
function signedSeconds(d: Date, what: string): number {
  const seconds = Math.floor(d.getTime() / 1000);
  if (!isSignableDate(seconds)) {
    const shown = Number.isNaN(d.getTime()) ? 'an invalid date' : d.toISOString().slice(0, 10);
    throw new UserError(`the ${what} ${shown} cannot be signed: license dates run ${SIGNABLE_DATES_TEXT}`);
  }
  return seconds;
}

export function buildClaims(t: LicenseTerms): LicenseClaims {
  return {
    v: FORMAT_VERSION,
    iss: t.product,
    sub: t.licenseKey,
    name: t.name,
    email: t.email,
    tier: t.tier,
    iat: signedSeconds(t.issuedAt, 'issue date'),
    ...(t.expiresAt ? { exp: signedSeconds(t.expiresAt, 'expiry') } : {}),
    ...(t.updatesUntil ? { updates_until: signedSeconds(t.updatesUntil, 'updates-until date') } : {}),
    ...(t.seats !== undefined ? { seats: t.seats } : {}),
    ...(t.features?.length ? { features: t.features } : {}),
  };
}

/** Adds whole years in UTC, clamping Feb 29 to Feb 28 the way people expect "one year". */
export function addYears(from: Date, years: number): Date {
  const d = new Date(from.getTime());
  const month = d.getUTCMonth();
  d.setUTCFullYear(d.getUTCFullYear() + years);
  if (d.getUTCMonth() !== month) d.setUTCDate(0);
  return d;
}
