// Parsing a compact JWS license blob: optional "TAG:" prefix, three base64url segments, a strict header.
import { base64urlDecode, fromUtf8, utf8 } from './base64url.js';
import { readClaims, type LicenseClaims } from './claims.js';

export const LICENSE_TYP = 'license+jwt';
const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid']);

export interface ParsedJws {
  header: { alg: string; typ?: string; kid: string };
  claims: LicenseClaims;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

export type JwsParseResult = { ok: true; value: ParsedJws } | { ok: false; detail: string };

/** Mail clients wrap long lines, so whitespace inside a blob is ignored (it cannot change what was signed). */
export function stripTag(blob: string, tag: string | undefined): string | null {
  const compact = blob.replace(/\s+/g, '');
  if (!tag) return compact;
  return compact.startsWith(`${tag}:`) ? compact.slice(tag.length + 1) : null;
}

export function parseJws(blob: string, tag?: string): JwsParseResult {
  const body = stripTag(blob, tag);
  if (body === null) return { ok: false, detail: `blob does not start with the tag "${tag}:"` };
  const segments = body.split('.');
  if (segments.length !== 3) return { ok: false, detail: 'a JWS has three dot-separated parts' };
  const [h, p, s] = segments as [string, string, string];
  const headerJson = decodeJson(h);
  if (!headerJson || typeof headerJson !== 'object' || Array.isArray(headerJson)) return { ok: false, detail: 'header is not base64url JSON' };
  const header = headerJson as Record<string, unknown>;
  for (const name of Object.keys(header)) {
    if (!ALLOWED_HEADER.has(name)) return { ok: false, detail: `unexpected header parameter "${name}"` };
  }
  if (header.alg !== 'EdDSA') return { ok: false, detail: `alg must be EdDSA, got ${JSON.stringify(header.alg)}` };
  if (header.typ !== undefined && header.typ !== LICENSE_TYP) return { ok: false, detail: `typ must be ${LICENSE_TYP}` };
  if (typeof header.kid !== 'string' || header.kid === '') return { ok: false, detail: 'header has no kid' };
  const claims = readClaims(decodeJson(p));
  if (!claims) return { ok: false, detail: 'payload is not a v1 license claim set' };
  const signature = base64urlDecode(s);
  if (!signature || signature.length !== 64) return { ok: false, detail: 'signature is not 64 bytes of base64url' };
  return {
    ok: true,
    value: { header: header as ParsedJws['header'], claims, signingInput: utf8(`${h}.${p}`), signature },
  };
}

function decodeJson(segment: string): unknown {
  const bytes = base64urlDecode(segment);
  const text = bytes && fromUtf8(bytes);
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
