// The one place a lease or a revocation list is signed: a compact JWS with the product's key and the token
// kind's own typ (docs/FORMAT.md), through the signing seam (a key here, an HSM or a KMS: license/signer.ts).
import type { SigningKey } from './ed25519-key.js';
import { asSigner, type Signer } from './signer.js';

export async function signToken(key: Signer | SigningKey, typ: string, payloadJson: string): Promise<string> {
  const signer = asSigner(key);
  const header = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ, kid: signer.kid })).toString('base64url');
  const signingInput = `${header}.${Buffer.from(payloadJson).toString('base64url')}`;
  return `${signingInput}.${Buffer.from(await signer.sign(Buffer.from(signingInput))).toString('base64url')}`;
}

/** JSON with the members in the order given (absent ones left out): same claims, same bytes. */
export function orderedJson(claims: Record<string, unknown>, order: readonly string[]): string {
  const out: Record<string, unknown> = {};
  for (const name of order) if (claims[name] !== undefined) out[name] = claims[name];
  return JSON.stringify(out);
}
