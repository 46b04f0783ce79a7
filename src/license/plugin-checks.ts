// Pure checks of what a format plugin hands back: the shape of a blob and of a decode, whether claims
// survive the round trip, and whether the signature is the one our signer made for those bytes.
import { CLAIM_ORDER, readClaims, type LicenseClaims } from '../verify/claims.js';
import type { DecodedBlob } from './format.js';

const MAX_BLOB_CHARS = 64 * 1024;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Null when fine, otherwise what is wrong with a blob returned by encode(). */
export function blobProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `encode() returned ${describe(value)}, not a string blob`;
  if (value.trim() === '') return 'encode() returned an empty blob';
  if (value.length > MAX_BLOB_CHARS) return `encode() returned a ${value.length}-character blob (more than ${MAX_BLOB_CHARS})`;
  // A blob travels in emails, JSONL lines and clipboards: no line breaks or control characters.
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'encode() returned a blob with line breaks or control characters';
  return null;
}

/** The decoded blob, or what is wrong with the shape decode() returned. */
export function readDecoded(value: unknown): DecodedBlob | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `decode() returned ${describe(value)}, not { claims, signedBytes, signature }`;
  const v = value as Record<string, unknown>;
  const claims = readClaims(v.claims);
  if (!claims) return 'decode() returned claims without the required v, iss, sub, name, email, tier, iat (or with wrong types)';
  if (!(v.signedBytes instanceof Uint8Array)) return `decode() returned signedBytes as ${describe(v.signedBytes)}, not a Uint8Array`;
  if (!(v.signature instanceof Uint8Array)) return `decode() returned signature as ${describe(v.signature)}, not a Uint8Array`;
  if (v.kid !== undefined && v.kid !== null && typeof v.kid !== 'string') return `decode() returned kid as ${describe(v.kid)}, not a string`;
  return {
    claims,
    signedBytes: v.signedBytes,
    signature: v.signature,
    ...(typeof v.kid === 'string' && v.kid !== '' ? { kid: v.kid } : {}),
  };
}

/** Null when every claim came back as it went in, otherwise the first one that did not. */
export function claimsDifference(sent: LicenseClaims, received: LicenseClaims): string | null {
  for (const name of CLAIM_ORDER) {
    const a = JSON.stringify(sent[name]);
    const b = JSON.stringify(received[name]);
    if (a !== b) return `claim "${name}" came back as ${b ?? 'nothing'} instead of ${a ?? 'nothing'}`;
  }
  return null;
}

export interface Signature {
  bytes: Uint8Array;
  signature: Uint8Array;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Ed25519 is deterministic: a decoded blob is genuine when its signature is one we made over its signed bytes. */
export function signatureProblem(decoded: DecodedBlob, made: readonly Signature[], kid: string): string | null {
  if (made.length === 0) return 'encode() never called sign()';
  if (decoded.kid !== undefined && decoded.kid !== kid) return `the blob names key ${decoded.kid}, but it was signed with ${kid}`;
  const match = made.find((m) => same(m.signature, decoded.signature));
  if (!match) return 'the signature in the blob is not one that sign() returned';
  if (!same(match.bytes, decoded.signedBytes)) return 'decode() reports signed bytes that differ from the bytes encode() signed';
  // sign() must not become a signing service for bytes that end up somewhere other than this blob.
  if (made.some((m) => !same(m.bytes, decoded.signedBytes))) return 'encode() had sign() sign bytes that are not the ones in the blob';
  return null;
}
