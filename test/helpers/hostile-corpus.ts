// A corpus of hostile license blobs (issue 13, item 4), the same for every verifier we ship: the embedded
// TypeScript one (WebCrypto and the noble fallback), the CLI's node:crypto one and docs/verify_license.py.
// Deterministic: fixed seeds, a seeded PRNG. Each hand-made case names the verdict docs/FORMAT.md gives it;
// the generated ones (random mutations and random claim sets) are checked for agreement only.
import { createHmac } from 'node:crypto';
import { signingKeyFromSeed, type SigningKey } from '../../src/license/ed25519-key.js';

export interface CorpusCase {
  name: string;
  blob: string;
  trustedKeys: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string }[];
  product: string | null;
  tag: string | null;
  now: string;
  /** What docs/FORMAT.md says; absent where only agreement between the verifiers is checked. */
  expected?: string;
}

const TAG = 'DTLIC3';
const PRODUCT = 'corpusapp';
const NOW = '2026-06-01T00:00:00.000Z';
const NOW_SEC = Date.parse(NOW) / 1000;
const trusted = signingKeyFromSeed(Buffer.alloc(32, 0x11));
const stranger = signingKeyFromSeed(Buffer.alloc(32, 0x22));
const L = (1n << 252n) + 27742317777372353535851937790883648493n; // the order of the Ed25519 base point

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');
const header = (fields: Record<string, unknown> = {}) => JSON.stringify({ alg: 'EdDSA', typ: 'license+jwt', kid: trusted.kid, ...fields });
const claims = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, iss: PRODUCT, sub: 'CA1-PRO-7K2M-9QXH-4TZB-W3NAA', name: 'Jane Doe', email: 'jane@example.com', tier: 'pro', iat: NOW_SEC - 86_400, exp: NOW_SEC + 365 * 86_400, ...fields });
const without = (name: string) => {
  const c = JSON.parse(claims()) as Record<string, unknown>;
  delete c[name];
  return JSON.stringify(c);
};

interface SignOptions {
  key?: SigningKey;
  tag?: string | null;
  /** Replaces the signature segment. */
  signature?: (real: Buffer) => string;
}

/** header.payload signed (by the trusted key unless told), with the tag in front. */
function signed(h: string | Uint8Array, p: string | Uint8Array, o: SignOptions = {}): string {
  const input = `${b64(h)}.${b64(p)}`;
  const real = Buffer.from((o.key ?? trusted).sign(Buffer.from(input)));
  const tag = o.tag === undefined ? TAG : o.tag;
  return `${tag ? `${tag}:` : ''}${input}.${o.signature ? o.signature(real) : b64(real)}`;
}

const nested = (depth: number, open = '[', close = ']', inner = '1') => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const nestedObjects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
/** claims() with one more member, whose JSON text is given as is. */
const withRawClaim = (name: string, json: string) => `${claims().slice(0, -1)},${JSON.stringify(name)}:${json}}`;

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

export function buildHostileCorpus(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const add = (name: string, blob: string, expected: string | undefined, extra: Partial<CorpusCase> = {}) =>
    cases.push({ name, blob, trustedKeys: [trusted.publicJwk], product: PRODUCT, tag: TAG, now: NOW, ...(expected ? { expected } : {}), ...extra });
  const valid = signed(header(), claims());

  // Baselines and what a mail client does to a blob.
  add('valid', valid, 'valid');
  add('valid lifetime (no exp)', signed(header(), without('exp')), 'valid');
  add('valid bare JWS, no tag expected', signed(header(), claims(), { tag: null }), 'valid', { tag: null });
  add('valid with every optional claim', signed(header(), claims({ updates_until: NOW_SEC + 86_400, seats: 3, features: ['sync', 'export'] })), 'valid');
  add('valid with unknown extra claims', signed(header(), claims({ plan: { a: [1, 2] }, x: null })), 'valid');
  add('valid with claims in another order', signed(header(), JSON.stringify({ tier: 'pro', iat: NOW_SEC, v: 1, email: 'a@b.co', name: '', sub: 'K', iss: PRODUCT })), 'valid');
  add('valid, header members in another order', signed(JSON.stringify({ kid: trusted.kid, typ: 'license+jwt', alg: 'EdDSA' }), claims()), 'valid');
  add('valid, JSON with whitespace inside', signed(JSON.stringify(JSON.parse(header()), null, 2), JSON.stringify(JSON.parse(claims()), null, '\t')), 'valid');
  add('valid, no product given to the verifier', signed(header(), claims({ iss: 'someone-else' })), 'valid', { product: null });
  add('valid, wrapped at 76 with CRLF', valid.match(/.{1,76}/g)!.join('\r\n'), 'valid');
  add('valid, spaces, tabs, form feeds, vertical tabs inside', valid.split('').map((c, i) => (i % 40 === 39 ? `${c} \t\f\v` : c)).join(''), 'valid');
  add('valid, whitespace between the tag and its colon', `${TAG} \n:${valid.slice(TAG.length + 1)}`, 'valid');
  add('no-break space inside (not ASCII whitespace)', `${valid.slice(0, 40)}\u00a0${valid.slice(40)}`, 'malformed');
  add('line separator U+2028 inside', `${valid.slice(0, 40)}\u2028${valid.slice(40)}`, 'malformed');
  add('zero-width space inside', `${valid.slice(0, 40)}\u200b${valid.slice(40)}`, 'malformed');
  add('byte order mark in front', `\ufeff${valid}`, 'malformed');

  // The header, signed: only the header decides.
  for (const [label, h] of [['[]', '[]'], ['null', 'null'], ['1', '1'], ['"EdDSA"', '"EdDSA"'], ['true', 'true'], ['{}', '{}'], ['[header]', `[${header()}]`]] as const) {
    add(`header is ${label}`, signed(h, claims()), 'malformed');
  }
  for (const kid of [[1], 1, null, {}, true, '', 1.5, [trusted.kid], { kid: trusted.kid }]) add(`kid is ${JSON.stringify(kid)}`, signed(header({ kid }), claims()), 'malformed');
  add('kid missing', signed(JSON.stringify({ alg: 'EdDSA', typ: 'license+jwt' }), claims()), 'malformed');
  add('kid of no trusted key', signed(header({ kid: 'not-a-trusted-kid' }), claims()), 'unknown-key');
  add('kid with escape sequences and a fake VALID line', signed(header({ kid: 'k\u001b[2J\u001b[H\r\nVALID\n\u202e' }), claims()), 'unknown-key');
  add('kid of 30,000 characters', signed(header({ kid: 'k'.repeat(30_000) }), claims()), 'unknown-key');
  add('kid differs in case', signed(header({ kid: trusted.kid.toUpperCase() === trusted.kid ? trusted.kid.toLowerCase() : trusted.kid.toUpperCase() }), claims()), 'unknown-key');
  for (const alg of ['none', 'None', 'NONE', 'HS256', 'RS256', 'ES256', 'PS256', 'eddsa', 'EDDSA', 'Ed25519', 'EdDSA ', '', null, 1, ['EdDSA'], { alg: 'EdDSA' }]) {
    add(`alg is ${JSON.stringify(alg)}`, signed(header({ alg }), claims()), 'malformed');
  }
  add('alg missing', signed(JSON.stringify({ typ: 'license+jwt', kid: trusted.kid }), claims()), 'malformed');
  for (const typ of ['JWT', 'jwt', '', 'license+JWT', 'application/license+jwt', 'license+jwt ', null, 1, ['license+jwt']]) {
    add(`typ is ${JSON.stringify(typ)}`, signed(header({ typ }), claims()), 'malformed');
  }
  add('typ absent (allowed)', signed(JSON.stringify({ alg: 'EdDSA', kid: trusted.kid }), claims()), 'valid');
  for (const member of ['jku', 'jwk', 'x5u', 'x5c', 'crit', 'b64', 'zip', 'cty', 'kid ', 'ALG', '__proto__', '']) {
    add(`extra header member ${JSON.stringify(member)}`, signed(`${header().slice(0, -1)},${JSON.stringify(member)}:${JSON.stringify(member === 'crit' ? ['exp'] : 'x')}}`, claims()), 'malformed');
  }
  add('duplicate alg, the last EdDSA (last wins in every JSON parser)', signed(`{"alg":"none","alg":"EdDSA","typ":"license+jwt","kid":${JSON.stringify(trusted.kid)}}`, claims()), 'valid');
  add('duplicate alg, the last none', signed(`{"alg":"EdDSA","alg":"none","typ":"license+jwt","kid":${JSON.stringify(trusted.kid)}}`, claims()), 'malformed');
  add('header 1,000 arrays deep', signed(nested(1000), claims()), 'malformed');
  add('header 1,000 objects deep', signed(nestedObjects(1000), claims()), 'malformed');
  add('header of 40,000 open brackets', signed('['.repeat(40_000), claims()), 'malformed');
  add('header with 3,000 members', signed(`{${Array.from({ length: 3000 }, (_, i) => `"m${i}":${i}`).join(',')}}`, claims()), 'malformed');
  add('header with a byte order mark', signed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(header())]), claims()), 'malformed');
  add('header in UTF-16', signed(Buffer.from(header(), 'utf16le'), claims()), 'malformed');
  add('header with invalid UTF-8', signed(Buffer.concat([Buffer.from(header().slice(0, -2)), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), claims()), 'malformed');
  add('header with trailing garbage', signed(`${header()}x`, claims()), 'malformed');
  add('header with a trailing comma', signed(`${header().slice(0, -1)},}`, claims()), 'malformed');
  add('header in single quotes', signed(header().replace(/"/g, "'"), claims()), 'malformed');

  // The payload, signed: only the claims decide.
  for (const [label, p] of [['[]', '[]'], ['null', 'null'], ['1', '1'], ['"x"', '"x"'], ['true', 'true'], ['{}', '{}'], ['empty', '']] as const) {
    add(`payload is ${label}`, signed(header(), p), 'malformed');
  }
  for (const name of ['v', 'iss', 'sub', 'name', 'email', 'tier', 'iat']) add(`claim ${name} missing`, signed(header(), without(name)), 'malformed');
  for (const name of ['iss', 'sub', 'name', 'email', 'tier']) {
    for (const value of [1, null, true, [], {}, ['x']]) add(`claim ${name} is ${JSON.stringify(value)}`, signed(header(), claims({ [name]: value })), 'malformed');
  }
  add('v 2, signed by the trusted key', signed(header(), claims({ v: 2 })), 'malformed');
  add('v 2, bad signature', signed(header(), claims({ v: 2 }), { signature: (s) => b64(Buffer.from(s.map((b, i) => (i === 5 ? b ^ 1 : b)))) }), 'bad-signature');
  add('v 2, unknown key', signed(header({ kid: stranger.kid }), claims({ v: 2 }), { key: stranger }), 'unknown-key');
  add('v 0', signed(header(), claims({ v: 0 })), 'malformed');
  add('v 1.0 (a whole number)', signed(header(), claims().replace('"v":1', '"v":1.0')), 'valid');
  add('v 1e0 (a whole number)', signed(header(), claims().replace('"v":1', '"v":1e0')), 'valid');
  for (const raw of ['"1"', '1.5', 'null', 'true', '[1]', '1e300', '9007199254740993', '-1e400', 'NaN', 'Infinity']) {
    add(`v is ${raw}`, signed(header(), claims().replace('"v":1', `"v":${raw}`)), 'malformed');
  }
  const dateCases: [string, string][] = [
    ['1.5 (a fraction)', `${NOW_SEC - 100}.5`], ['1e300', '1e300'], ['-9e12', '-9e12'], ['9e12', '9e12'], ['"1768471200"', '"1768471200"'],
    ['null', 'null'], ['true', 'true'], ['[1768471200]', '[1768471200]'], ['0', '0'], ['-0', '-0'], ['946684799 (1999-12-31T23:59:59Z)', '946684799'],
    ['7258118400 (2200-01-01)', '7258118400'], ['1e16', '1e16'], ['NaN', 'NaN'], ['Infinity', 'Infinity'], ['-Infinity', '-Infinity'],
    ['a 5,000-digit integer', '9'.repeat(5000)], ['Arabic-Indic digits', '\u0661\u0667\u0666\u0668'], ['8640000000000 (the last JavaScript date, in ms)', '8640000000000'],
  ];
  for (const name of ['iat', 'exp', 'updates_until']) {
    for (const [label, raw] of dateCases) add(`${name} is ${label}`, signed(header(), `${claims({ [name]: 0 }).replace(`"${name}":0`, `"${name}":${raw}`)}`), 'malformed');
  }
  add('iat 946684800 (2000-01-01, the first signable second)', signed(header(), claims({ iat: 946_684_800 })), 'valid');
  add('iat written 1.7e9 (a whole number)', signed(header(), claims().replace(/"iat":\d+/, '"iat":1.7e9')), 'valid');
  add('exp 7258118399 (the last signable second)', signed(header(), claims({ exp: 7_258_118_399 })), 'valid');
  add('exp written with .0', signed(header(), claims().replace(/"exp":(\d+)/, '"exp":$1.0')), 'valid');
  add('exp 946684800 (long expired)', signed(header(), claims({ iat: 946_684_800, exp: 946_684_800 })), 'expired');
  add('updates_until in the past (still valid: it only limits updates)', signed(header(), claims({ updates_until: NOW_SEC - 86_400 * 400 })), 'valid');
  for (const [label, raw, expected] of [['2', '2', 'valid'], ['-1', '-1', 'valid'], ['"2"', '"2"', 'malformed'], ['2.5', '2.5', 'malformed'], ['null', 'null', 'malformed'],
    ['true', 'true', 'malformed'], ['1e300', '1e300', 'malformed'], ['9007199254740993', '9007199254740993', 'malformed'], ['[2]', '[2]', 'malformed']] as const) {
    add(`seats is ${label}`, signed(header(), claims({ seats: 0 }).replace('"seats":0', `"seats":${raw}`)), expected);
  }
  for (const [label, value, expected] of [['[]', [], 'valid'], ['two strings', ['a', 'b'], 'valid'], ['"pro"', 'pro', 'malformed'], ['[1]', [1], 'malformed'],
    ['[null]', [null], 'malformed'], ['[["a"]]', [['a']], 'malformed'], ['{}', {}, 'malformed'], ['null', null, 'malformed']] as const) {
    add(`features is ${label}`, signed(header(), claims({ features: value })), expected);
  }
  add('extra claim nested to 15 (with the payload object: 16, the limit)', signed(header(), withRawClaim('deep', nested(15))), 'valid');
  add('extra claim nested to 16 (17 with the payload object)', signed(header(), withRawClaim('deep', nested(16))), 'malformed');
  add('extra claim 1,000 arrays deep', signed(header(), withRawClaim('deep', nested(1000))), 'malformed');
  add('extra claim 1,000 objects deep', signed(header(), withRawClaim('deep', nestedObjects(1000))), 'malformed');
  add('extra claim: brackets inside a string do not nest', signed(header(), claims({ text: `${'['.repeat(1000)}${'{'.repeat(1000)}` })), 'valid');
  add('extra claim: escaped quote then brackets, still a string', signed(header(), claims({ text: `\\"${'['.repeat(100)}\\` })), 'valid');
  add('extra claim: a 5,000-digit integer', signed(header(), withRawClaim('big', '9'.repeat(5000))), 'valid');
  add('extra claim: 1e999', signed(header(), withRawClaim('huge', '1e999')), 'valid');
  add('extra claim: NaN (not JSON)', signed(header(), withRawClaim('n', 'NaN')), 'malformed');
  add('extra claim: __proto__', signed(header(), withRawClaim('__proto__', '{"tier":"enterprise"}')), 'valid');
  add('name with a lone surrogate escape', signed(header(), claims().replace('"Jane Doe"', '"\\ud800"')), 'valid');
  add('name with escape sequences (escaped in JSON)', signed(header(), claims({ name: '\u001b[2J\u001b[HVALID\r\n' })), 'valid');
  add('name with a raw control character (not JSON)', signed(header(), claims().replace('Jane Doe', 'Jane\u0001Doe')), 'malformed');
  add('duplicate tier claim (last wins)', signed(header(), `${claims().slice(0, -1)},"tier":"enterprise"}`), 'valid');
  add('payload with a byte order mark', signed(header(), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(claims())])), 'malformed');
  add('payload in UTF-16', signed(header(), Buffer.from(claims(), 'utf16le')), 'malformed');
  const inName = (bytes: number[]) => {
    const at = claims().indexOf('Jane');
    return Buffer.concat([Buffer.from(claims().slice(0, at)), Buffer.from(bytes), Buffer.from(claims().slice(at))]);
  };
  add('payload with an overlong UTF-8 slash in a string', signed(header(), inName([0xc0, 0xaf])), 'malformed');
  add('payload with a UTF-8-encoded surrogate in a string (ED A0 80)', signed(header(), inName([0xed, 0xa0, 0x80])), 'malformed');
  add('payload with a code point past U+10FFFF in a string', signed(header(), inName([0xf4, 0x90, 0x80, 0x80])), 'malformed');
  add('payload with a 4-byte character in a string (fine)', signed(header(), inName([0xf0, 0x9f, 0x94, 0x91])), 'valid');
  add('payload with a Latin-1 byte', signed(header(), Buffer.from(claims().replace('Jane Doe', 'Ren\u00e9e'), 'latin1')), 'malformed');
  add('payload with trailing garbage', signed(header(), `${claims()}x`), 'malformed');
  add('payload followed by another object', signed(header(), `${claims()}{}`), 'malformed');
  add('payload only whitespace', signed(header(), '   '), 'malformed');

  // base64url strictness.
  const [h0, p0, s0] = valid.slice(TAG.length + 1).split('.') as [string, string, string];
  const parts = (h: string, p: string, s: string) => `${TAG}:${h}.${p}.${s}`;
  const segments = { header: 0, payload: 1, signature: 2 } as const;
  for (const [which, i] of Object.entries(segments)) {
    const put = (text: string) => parts(...([h0, p0, s0].map((seg, j) => (j === i ? text : seg)) as [string, string, string]));
    const seg = [h0, p0, s0][i]!;
    add(`${which} padded with =`, put(`${seg}${'='.repeat((4 - (seg.length % 4)) % 4 || 2)}`), 'malformed');
    add(`${which} in standard base64 (+ and /)`, put(`${seg.slice(0, 3)}+/${seg.slice(5)}`), 'malformed');
    add(`${which} one character too long (length % 4 == 1)`, put(seg.length % 4 === 0 ? `${seg}A` : seg.length % 4 === 2 ? `${seg}AAA` : `${seg}AA`), 'malformed');
    add(`${which} with a non-ASCII letter`, put(`${seg.slice(0, 4)}\u00e9${seg.slice(5)}`), 'malformed');
    add(`${which} with a fullwidth letter`, put(`${seg.slice(0, 4)}\uff21${seg.slice(5)}`), 'malformed');
    add(`${which} with %`, put(`${seg.slice(0, 4)}%${seg.slice(5)}`), 'malformed');
    add(`${which} with a NUL`, put(`${seg.slice(0, 4)}\u0000${seg.slice(5)}`), 'malformed');
    add(`${which} empty`, put(''), 'malformed');
    const unused = seg.length % 4 === 2 ? 4 : seg.length % 4 === 3 ? 2 : 0;
    if (unused) {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(seg.at(-1)!);
      add(`${which} with non-zero unused bits in its last character`, put(`${seg.slice(0, -1)}${alphabet[last | 1]!}`), 'malformed');
    }
  }

  // Structure.
  for (const [label, blob] of [['empty', ''], ['the tag alone', `${TAG}:`], ['one dot', `${TAG}:.`], ['two dots', `${TAG}:..`], ['three dots', `${TAG}:...`],
    ['two segments', parts(h0, p0, s0).split('.').slice(0, 2).join('.')], ['four segments', `${valid}.${s0}`], ['five segments (a JWE)', `${valid}.AA.AA`],
    ['a trailing dot', `${valid}.`], ['a leading dot', `${TAG}:.${h0}.${p0}.${s0}`], ['no tag', valid.slice(TAG.length + 1)], ['another tag', `XYZ1:${valid.slice(TAG.length + 1)}`],
    ['the tag in lower case', valid.replace(TAG, TAG.toLowerCase())], ['the tag twice', `${TAG}:${valid}`], ['the tag without its colon', valid.replace(':', '')],
    ['60,000 dots', `${TAG}:${'.'.repeat(60_000)}`], ['30,001 segments', `${TAG}:${'A.'.repeat(30_000)}A`]] as const) {
    add(`structure: ${label}`, blob, 'malformed');
  }
  add('a tagged blob where none is expected', valid, 'malformed', { tag: null });

  // Huge inputs.
  add('1 MB of A', 'A'.repeat(1_000_000), 'malformed');
  add('a valid blob padded with whitespace to 70,000 characters (over the limit)', `${valid}${' '.repeat(70_000 - valid.length)}`, 'malformed');
  add('a valid blob padded with whitespace to 65,536 characters (the limit)', `${valid}${'\n'.repeat(65_536 - valid.length)}`, 'valid');
  add('a name of 45,000 characters (a 60,000-character blob)', signed(header(), claims({ name: 'n'.repeat(45_000) })), 'valid');

  // Signatures.
  add('signed by another key under the trusted kid', signed(header(), claims(), { key: stranger }), 'bad-signature');
  add('signed by an untrusted key under its own kid', signed(header({ kid: stranger.kid }), claims(), { key: stranger }), 'unknown-key');
  for (const at of [0, 31, 32, 63]) add(`signature with byte ${at} flipped`, signed(header(), claims(), { signature: (s) => b64(Buffer.from(s.map((b, i) => (i === at ? b ^ 0x80 : b)))) }), 'bad-signature');
  add('signature all zeros', signed(header(), claims(), { signature: () => b64(Buffer.alloc(64)) }), 'bad-signature');
  add('signature of 63 bytes', signed(header(), claims(), { signature: (s) => b64(s.subarray(0, 63)) }), 'malformed');
  add('signature of 65 bytes', signed(header(), claims(), { signature: (s) => b64(Buffer.concat([s, Buffer.from([0])])) }), 'malformed');
  add('signature of 128 bytes (twice)', signed(header(), claims(), { signature: (s) => b64(Buffer.concat([s, s])) }), 'malformed');
  add('signature with S + L (malleated)', signed(header(), claims(), { signature: (s) => b64(Buffer.concat([s.subarray(0, 32), toLe(fromLe(s.subarray(32)) + L)])) }), 'bad-signature');
  add('signature with S = 0', signed(header(), claims(), { signature: (s) => b64(Buffer.concat([s.subarray(0, 32), Buffer.alloc(32)])) }), 'bad-signature');
  add('payload changed after signing (tier enterprise)', `${TAG}:${h0}.${b64(claims({ tier: 'enterprise' }))}.${s0}`, 'bad-signature');
  add('header changed after signing (typ dropped)', `${TAG}:${b64(JSON.stringify({ alg: 'EdDSA', kid: trusted.kid }))}.${p0}.${s0}`, 'bad-signature');
  add('signature over the tagged input', (() => {
    const input = `${b64(header())}.${b64(claims())}`;
    return `${TAG}:${input}.${b64(trusted.sign(Buffer.from(`${TAG}:${input}`)))}`;
  })(), 'bad-signature');
  add('signature of another license', `${TAG}:${h0}.${p0}.${signed(header(), claims({ sub: 'OTHER' })).split('.')[2]}`, 'bad-signature');
  add('alg none with an empty signature', `${TAG}:${b64(header({ alg: 'none' }))}.${p0}.`, 'malformed');
  add('alg HS256, HMAC keyed with the public key (alg confusion)', (() => {
    const input = `${b64(header({ alg: 'HS256' }))}.${p0}`;
    const mac = createHmac('sha256', Buffer.from(trusted.publicJwk.x, 'base64url')).update(input).digest();
    return `${TAG}:${input}.${b64(Buffer.concat([mac, mac]))}`;
  })(), 'malformed');
  add('a trusted key of 31 bytes under the kid', valid, 'bad-signature', { trustedKeys: [{ ...trusted.publicJwk, x: b64(Buffer.alloc(31, 7)) }] });
  add('two trusted keys, the signer second', valid, 'valid', { trustedKeys: [stranger.publicJwk, trusted.publicJwk] });

  // After the signature: version, product, dates, in the documented order.
  add('wrong product', signed(header(), claims({ iss: 'otherapp' })), 'wrong-product');
  add('product differs in case', signed(header(), claims({ iss: PRODUCT.toUpperCase() })), 'wrong-product');
  add('iat now + 300 s (inside the tolerance)', signed(header(), claims({ iat: NOW_SEC + 300 })), 'valid');
  add('iat now + 301 s', signed(header(), claims({ iat: NOW_SEC + 301 })), 'not-yet-valid');
  add('exp now', signed(header(), claims({ exp: NOW_SEC })), 'expired');
  add('exp now + 1 s', signed(header(), claims({ exp: NOW_SEC + 1 })), 'valid');
  add('issued in the future and expired: not-yet-valid first', signed(header(), claims({ iat: NOW_SEC + 10_000, exp: NOW_SEC - 10 })), 'not-yet-valid');
  add('v 2 and another product: the version first', signed(header(), claims({ v: 2, iss: 'otherapp' })), 'malformed');
  add('another product and expired: the product first', signed(header(), claims({ iss: 'otherapp', exp: NOW_SEC - 10 })), 'wrong-product');

  addMutations(cases, valid);
  addRandomClaimSets(cases);
  return cases;
}

function fromLe(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function toLe(n: bigint): Buffer {
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i++, n >>= 8n) out[i] = Number(n & 0xffn);
  return out;
}

/** One to three random edits of a valid blob: agreement only (most are bad-signature or malformed). */
function addMutations(cases: CorpusCase[], valid: string): void {
  const random = xorshift(0x5eed);
  const pool = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/: \n\u00a0\u00e9\u202e{}"';
  for (let n = 0; n < 150; n++) {
    let blob = valid;
    const edits = 1 + Math.floor(random() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * blob.length);
      const c = pool[Math.floor(random() * pool.length)]!;
      const kind = Math.floor(random() * 3);
      blob = kind === 0 ? blob.slice(0, at) + c + blob.slice(at + 1) : kind === 1 ? blob.slice(0, at) + c + blob.slice(at) : blob.slice(0, at) + blob.slice(at + 1);
    }
    cases.push({ name: `mutation ${n}`, blob, trustedKeys: [trusted.publicJwk], product: PRODUCT, tag: TAG, now: NOW });
  }
}

/** Claim sets drawn from good and bad values, each signed by the trusted key: agreement only. */
function addRandomClaimSets(cases: CorpusCase[]): void {
  const random = xorshift(0xc1a1);
  // Mostly the first (good) value, so many sets get past the shape checks to the signature and the dates.
  const pick = <T>(values: readonly T[]) => (random() < 0.8 ? values[0]! : values[Math.floor(random() * values.length)]!);
  const absent = Symbol('absent');
  const choices: Record<string, readonly unknown[]> = {
    v: [1, 1, 1, 2, 0, '1', 1.5, null, absent],
    iss: [PRODUCT, PRODUCT, 'otherapp', '', 1, null, absent],
    sub: ['K-1', '', 7, absent],
    name: ['Ann', '', '\u001b]0;pwned\u0007', null, absent],
    email: ['a@b.co', '', [], absent],
    tier: ['pro', 'basic', false, absent],
    iat: [NOW_SEC - 10, NOW_SEC + 299, NOW_SEC + 301, NOW_SEC + 5000, 946_684_800, 946_684_799, 9e12, -9e12, 1.5, '1', absent],
    exp: [absent, NOW_SEC + 10, NOW_SEC, NOW_SEC - 10, 7_258_118_399, 7_258_118_400, 1e300, null, absent, absent],
    updates_until: [absent, NOW_SEC, 8.64e12, null],
    seats: [absent, 1, 5, 0, -3, 2.5, '2'],
    features: [absent, [], ['a'], [1], 'a'],
  };
  for (let n = 0; n < 150; n++) {
    const c: Record<string, unknown> = {};
    for (const [name, values] of Object.entries(choices)) {
      const value = pick(values);
      if (value !== absent) c[name] = value;
    }
    const kid = random() < 0.1 ? stranger.kid : trusted.kid;
    const blob = signed(header({ kid }), JSON.stringify(c), { key: random() < 0.1 ? stranger : trusted });
    cases.push({ name: `random claims ${n}`, blob, trustedKeys: [trusted.publicJwk], product: random() < 0.2 ? null : PRODUCT, tag: TAG, now: NOW });
  }
}
