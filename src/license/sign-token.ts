// The one place a lease or a revocation list is signed: a compact JWS with the product's key and the token
// kind's own typ (docs/FORMAT.md). Kept to one function so a change of signer (an async remote signer) is
// one edit here.
import type { SigningKey } from './ed25519-key.js';

export function signToken(signer: SigningKey, typ: string, payloadJson: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ, kid: signer.kid })).toString('base64url');
  const signingInput = `${header}.${Buffer.from(payloadJson).toString('base64url')}`;
  return `${signingInput}.${Buffer.from(signer.sign(Buffer.from(signingInput))).toString('base64url')}`;
}

/** JSON with the members in the order given (absent ones left out): same claims, same bytes. */
export function orderedJson(claims: Record<string, unknown>, order: readonly string[]): string {
  const out: Record<string, unknown> = {};
  for (const name of order) if (claims[name] !== undefined) out[name] = claims[name];
  return JSON.stringify(out);
}
