// Parsing a compact JWS license blob: optional "TAG:" prefix, three base64url segments, a strict header.
import { base64urlDecode, fromUtf8, utf8 } from './base64url.js';
import { readClaims, type LicenseClaims } from './claims.js';

export const LICENSE_TYP = 'license+jwt';
const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid']);
/** Longer input is `malformed` before any work is done on it (a real blob is well under 2,000 characters). */
export const MAX_BLOB_CHARS = 65_536;
/** Arrays and objects nested deeper than this in the header or payload are `malformed` (claims need 2). */
export const MAX_JSON_DEPTH = 16;

export interface ParsedJws<T = LicenseClaims> {
  header: { alg: string; typ?: string; kid: string };
  claims: T;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

export type JwsParseResult<T = LicenseClaims> = { ok: true; value: ParsedJws<T> } | { ok: false; detail: string };

/**
 * Mail clients wrap long lines, so whitespace inside a blob is ignored (it cannot change what was signed).
 * Only ASCII whitespace (docs/FORMAT.md), so every verifier strips the same characters.
 */
export function stripTag(blob: string, tag: string | undefined): string | null {
  const compact = blob.replace(/[ \t\n\r\f\v]+/g, '');
  if (!tag) return compact;
  return compact.startsWith(`${tag}:`) ? compact.slice(tag.length + 1) : null;
}

export function parseJws(blob: string, tag?: string): JwsParseResult {
  return parseCompact(blob, tag, LICENSE_TYP, false, readClaims, 'a v1 license claim set');
}

/**
 * Every token this project signs (licenses, leases, revocation lists): EdDSA, a kid, and its own `typ`, so one
 * kind never passes for another. `typRequired`: the newer kinds must say theirs (old licenses may omit it).
 */
export function parseCompact<T>(blob: string, tag: string | undefined, typ: string, typRequired: boolean, read: (v: unknown) => T | null, what: string): JwsParseResult<T> {
  if (typeof blob !== 'string') return { ok: false, detail: 'a blob is a string' };
  if (blob.length > MAX_BLOB_CHARS) return { ok: false, detail: `longer than ${MAX_BLOB_CHARS} characters` };
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
  if ((typRequired || header.typ !== undefined) && header.typ !== typ) return { ok: false, detail: `typ must be ${typ}` };
  if (typeof header.kid !== 'string' || header.kid === '') return { ok: false, detail: 'header has no kid' };
  const claims = read(decodeJson(p));
  if (!claims) return { ok: false, detail: `payload is not ${what}` };
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
  if (text === null || text === undefined || nestingDepth(text) > MAX_JSON_DEPTH) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** How deep arrays and objects nest in a JSON text (brackets inside strings do not count). */
export function nestingDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}
