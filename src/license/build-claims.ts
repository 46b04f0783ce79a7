// From what the creator asked for to the claims that get signed.
import { FORMAT_VERSION, type LicenseClaims } from '../verify/claims.js';

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

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export function buildClaims(t: LicenseTerms): LicenseClaims {
  return {
    v: FORMAT_VERSION,
    iss: t.product,
    sub: t.licenseKey,
    name: t.name,
    email: t.email,
    tier: t.tier,
    iat: seconds(t.issuedAt),
    ...(t.expiresAt ? { exp: seconds(t.expiresAt) } : {}),
    ...(t.updatesUntil ? { updates_until: seconds(t.updatesUntil) } : {}),
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
