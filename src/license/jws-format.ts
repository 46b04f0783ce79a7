// The built-in format: a JWS compact serialization (RFC 7515) with EdDSA (RFC 8037), see docs/FORMAT.md.
import { serializeClaims } from '../verify/claims.js';
import { LICENSE_TYP, parseJws } from '../verify/jws.js';
import type { LicenseFormat } from './format.js';

export function jwsHeader(kid: string): string {
  return JSON.stringify({ alg: 'EdDSA', typ: LICENSE_TYP, kid });
}

const headerSegments = new Map<string, string>();
function headerSegment(kid: string): string {
  let segment = headerSegments.get(kid);
  if (!segment) {
    segment = Buffer.from(jwsHeader(kid)).toString('base64url');
    headerSegments.set(kid, segment);
  }
  return segment;
}

export function createJwsFormat(tag?: string): LicenseFormat {
  return {
    name: 'jws',
    async encode(claims, signer) {
      // Buffer's base64url is native: this is the hot path of minting.
      const signingInput = `${headerSegment(signer.kid)}.${Buffer.from(serializeClaims(claims)).toString('base64url')}`;
      const signature = Buffer.from(await signer.sign(Buffer.from(signingInput))).toString('base64url');
      return `${tag ? `${tag}:` : ''}${signingInput}.${signature}`;
    },
    decode(blob) {
      const parsed = parseJws(blob, tag);
      if (!parsed.ok) throw new Error(parsed.detail);
      const { claims, signingInput, signature, header } = parsed.value;
      return { claims, signedBytes: signingInput, signature, kid: header.kid };
    },
  };
}
