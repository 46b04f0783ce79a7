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
  const optInt = (k: string) => c[k] === undefined || isInt(k);
  if (!isInt('v') || !isStr('iss') || !isStr('sub') || !isStr('name') || !isStr('email') || !isStr('tier') || !isInt('iat')) return null;
  if (!optInt('exp') || !optInt('updates_until') || !optInt('seats')) return null;
  if (c.features !== undefined && !(Array.isArray(c.features) && c.features.every((f) => typeof f === 'string'))) return null;
  return c as unknown as LicenseClaims;
}
