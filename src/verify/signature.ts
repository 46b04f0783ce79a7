// The signature step every token kind shares: the kid must be trusted and the Ed25519 signature must hold.
import { verifierFor, type PublicJwk } from './ed25519.js';
import type { ParsedJws } from './jws.js';

export type KeySet = PublicJwk[] | { keys: PublicJwk[] };

export async function signatureProblem(parsed: ParsedJws<unknown>, keySet: KeySet): Promise<{ reason: 'unknown-key' | 'bad-signature'; detail: string } | null> {
  const keys = Array.isArray(keySet) ? keySet : keySet.keys;
  const jwk = keys.find((k) => k.kid === parsed.header.kid);
  if (!jwk) return { reason: 'unknown-key', detail: `signed by key ${parsed.header.kid}, which is not among the trusted keys` };
  let ok = false;
  try {
    ok = await (await verifierFor(jwk))(parsed.signature, parsed.signingInput);
  } catch {
    ok = false;
  }
  return ok ? null : { reason: 'bad-signature', detail: 'the signature does not match the content (tampered or wrong key)' };
}
