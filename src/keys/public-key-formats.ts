// The ways a creator embeds public keys in an app: hex, PEM, JWK, JWKS, and paste-ready snippets.
import { publicKeyHex, publicKeyPem } from '../license/ed25519-key.js';
import type { PublicKey } from './key-store.js';

export interface PublicKeyExport {
  kid: string;
  active: boolean;
  createdAt?: string;
  storage?: string;
  retiredAt?: string;
  publicKeyHex: string;
  pem: string;
  jwk: PublicKey;
}

export function exportPublicKey(jwk: PublicKey, meta: { active: boolean; createdAt?: string; storage?: string; retiredAt?: string }): PublicKeyExport {
  return { kid: jwk.kid, ...meta, publicKeyHex: publicKeyHex(jwk), pem: publicKeyPem(jwk), jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: jwk.kid } };
}

export function typescriptSnippet(jwks: { keys: PublicKey[] }, product: string, tag: string | null): string {
  return [
    "import { verifyLicense } from 'license-admin/verify';",
    '',
    `const TRUSTED_KEYS = ${JSON.stringify(jwks.keys)};`,
    '',
    `const result = await verifyLicense(blob, { keys: TRUSTED_KEYS, product: ${JSON.stringify(product)}${tag ? `, tag: ${JSON.stringify(tag)}` : ''} });`,
    "if (!result.valid) throw new Error(`license ${result.reason}`);",
  ].join('\n');
}

export function pythonSnippet(keys: PublicKeyExport[]): string {
  return [
    '# pip install cryptography   (the full verifier: docs/verify_license.py)',
    'TRUSTED_KEYS = {',
    ...keys.map((k) => `    ${JSON.stringify(k.kid)}: bytes.fromhex(${JSON.stringify(k.publicKeyHex)}),`),
    '}',
  ].join('\n');
}
