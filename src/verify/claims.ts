/** The claims of a v1 license, in the fixed order they are serialized (docs/FORMAT.md). */
export interface LicenseClaims {
  v: number;
  iss: string;
  sub: string;
  name: string;
  email: string;
  tier: string;
  iat: number;
  exp?: number;
  updates_until?: number;
  seats?: number;
  features?: string[];
}

export const FORMAT_VERSION = 1;

// Signed dates (iat, exp, updates_until) fall in [2000-01-01, 2200-01-01) UTC, in whole epoch seconds: the
// same window the server holds dates from outside to. A date outside it is `malformed`: JavaScript dates end
// at ±275760 years, so an exp of -9e12 would otherwise throw instead of giving a verdict.
export const EARLIEST_SIGNED_DATE_SEC = 946_684_800;
export const LATEST_SIGNED_DATE_SEC = 7_258_118_400;

export function isSignableDate(seconds: unknown): seconds is number {
  return Number.isSafeInteger(seconds) && (seconds as number) >= EARLIEST_SIGNED_DATE_SEC && (seconds as number) < LATEST_SIGNED_DATE_SEC;
}

export const CLAIM_ORDER = ['v', 'iss', 'sub', 'name', 'email', 'tier', 'iat', 'exp', 'updates_until', 'seats', 'features'] as const;

/** Serializes claims in CLAIM_ORDER, leaving out absent optional claims: same claims, same bytes. */
export function serializeClaims(claims: LicenseClaims): string {
  const ordered: Record<string, unknown> = {};
  for (const name of CLAIM_ORDER) {
    const value = claims[name];
    if (value !== undefined) ordered[name] = value;
  }
  return JSON.stringify(ordered);
}

/** Shape check of decoded claims; returns null when anything required is missing or mistyped. */
export function readClaims(value: unknown): LicenseClaims | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const c = value as Record<string, unknown>;
  const isStr = (k: string) => typeof c[k] === 'string';
  const isInt = (k: string) => Number.isSafeInteger(c[k]);
  const optDate = (k: string) => c[k] === undefined || isSignableDate(c[k]);
  if (!isInt('v') || !isStr('iss') || !isStr('sub') || !isStr('name') || !isStr('email') || !isStr('tier') || !isSignableDate(c.iat)) return null;
  if (!optDate('exp') || !optDate('updates_until') || !(c.seats === undefined || isInt('seats'))) return null;
  if (c.features !== undefined && !(Array.isArray(c.features) && c.features.every((f) => typeof f === 'string'))) return null;
  return c as unknown as LicenseClaims;
}
