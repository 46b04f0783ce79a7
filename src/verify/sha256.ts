// SHA-256 for the verifier (lease fingerprints, revocation-list entries): WebCrypto where present, else the
// noble fallback chunk (which also carries Ed25519 for platforms without WebCrypto).
import { base64urlEncode, utf8 } from './base64url.js';

export async function sha256Base64url(text: string): Promise<string> {
  const bytes = utf8(text);
  const subtle = globalThis.crypto?.subtle;
  if (subtle) return base64urlEncode(new Uint8Array(await subtle.digest('SHA-256', bytes as BufferSource)));
  const { sha256 } = await import('./noble-fallback.js');
  return base64urlEncode(sha256(bytes));
}
