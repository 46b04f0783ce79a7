// The built-in format: a JWS compact serialization (RFC 7515) with EdDSA (RFC 8037), see docs/FORMAT.md.
import { base64urlEncode, utf8 } from '../verify/base64url.js';
import { serializeClaims } from '../verify/claims.js';
import { LICENSE_TYP, parseJws } from '../verify/jws.js';
import type { LicenseFormat } from './format.js';

export function jwsHeader(kid: string): string {
  return JSON.stringify({ alg: 'EdDSA', typ: LICENSE_TYP, kid });
}

export function createJwsFormat(tag?: string): LicenseFormat {
  return {
    name: 'jws',
    encode(claims, signer) {
      const signingInput = `${base64urlEncode(utf8(jwsHeader(signer.kid)))}.${base64urlEncode(utf8(serializeClaims(claims)))}`;
      const signature = base64urlEncode(signer.sign(utf8(signingInput)));
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
