// Seats and features: what a license entitles its holder to, beyond tier and dates. They are claims in the
// signed blob and facts in the events (`seats` / `features` in a mint's data, or in a re-signing event's
// data when they change). Older events (imports of the legacy log) do not carry them: then the claims of
// the event's own blob say what was sold. Pure.

export interface Entitlements {
  seats: number | null;
  features: string[];
}

export const NO_ENTITLEMENTS: Entitlements = Object.freeze({ seats: null, features: [] as string[] }) as Entitlements;

export function validSeats(v: unknown): number | null {
  return Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : null;
}

export function validFeatures(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string' && f !== '') : [];
}

/**
 * The seats and features claimed by a JWS blob ("TAG:" prefix allowed), read without checking the
 * signature: a fact about what the buyer holds, not a verification. Null for a blob that is not a JWS
 * (a plugin format, a forgotten license's empty blob).
 */
export function claimedEntitlements(blob: string): Entitlements | null {
  if (!blob) return null;
  const compact = blob.replace(/\s+/g, '');
  const segments = compact.slice(compact.lastIndexOf(':') + 1).split('.');
  if (segments.length !== 3 || !segments[1]) return null;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(segments[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return null;
  const c = claims as Record<string, unknown>;
  return { seats: validSeats(c.seats), features: validFeatures(c.features) };
}

/** From an event's data: its own `seats` / `features` where it has them, else `fallback` (lazily). */
export function entitlementsFrom(data: Record<string, unknown>, fallback: () => Entitlements): Entitlements {
  const hasSeats = Object.hasOwn(data, 'seats');
  const hasFeatures = Object.hasOwn(data, 'features');
  if (hasSeats && hasFeatures) return { seats: validSeats(data.seats), features: validFeatures(data.features) };
  const base = fallback();
  return { seats: hasSeats ? validSeats(data.seats) : base.seats, features: hasFeatures ? validFeatures(data.features) : base.features };
}

/** As claims to sign again (buildClaims' seats / features): what the license has, nothing it has not. */
export function entitlementClaims(e: Entitlements): { seats?: number; features?: string[] } {
  return { ...(e.seats !== null ? { seats: e.seats } : {}), ...(e.features.length ? { features: e.features } : {}) };
}
