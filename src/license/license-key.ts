// The human-facing license key: {PREFIX}-{TIER}-XXXX-XXXX-XXXX-XXXXC
// 16 Crockford base32 characters of CSPRNG output (80 bits) plus one Luhn mod 32 check character,
// computed over prefix, tier and the random part so a mistyped key is caught before any lookup.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 16;

export type KeyShape = 'current' | 'legacy';

export interface ParsedLicenseKey {
  key: string;
  prefix: string;
  tier: string;
  shape: KeyShape;
}

export function generateLicenseKey(prefix: string, tier: string, randomBytes: (n: number) => Uint8Array): string {
  const bytes = randomBytes(10);
  const chars = encodeBase32(bytes).slice(0, RANDOM_CHARS);
  const head = `${prefix.toUpperCase()}-${tier.toUpperCase()}`;
  const check = checkCharacter(head, chars);
  const groups = [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8, 12), chars.slice(12, 16) + check];
  return `${head}-${groups.join('-')}`;
}

/** Crockford decoding is forgiving: lower case, I/L for 1, O for 0, stray spaces. */
function normalizeGroup(group: string): string {
  return group.toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
}

export type KeyParseResult = { ok: true; value: ParsedLicenseKey } | { ok: false; reason: string };

export function parseLicenseKey(input: string): KeyParseResult {
  const trimmed = input.trim().replace(/\s+/g, '');
  const parts = trimmed.split('-');
  if (parts.length === 6) {
    const [prefix, tier, a, b, c, d] = parts as [string, string, string, string, string, string];
    const random = [a, b, c, d.slice(0, 4)].map(normalizeGroup).join('');
    const check = normalizeGroup(d.slice(4));
    const shapeOk = [a, b, c].every((g) => g.length === 4) && d.length === 5 && /^[0-9A-Z]{16}$/.test(random);
    if (!shapeOk || !/^[A-Za-z0-9]+$/.test(prefix + tier) || [...random, check].some((ch) => !ALPHABET.includes(ch))) {
      return { ok: false, reason: `"${input}" is not a license key (expected PREFIX-TIER-XXXX-XXXX-XXXX-XXXXX)` };
    }
    const head = `${prefix.toUpperCase()}-${tier.toUpperCase()}`;
    if (checkCharacter(head, random) !== check) {
      return { ok: false, reason: `"${input}" has a typo: its check character does not match (compare it with the key the buyer received)` };
    }
    const key = `${head}-${random.slice(0, 4)}-${random.slice(4, 8)}-${random.slice(8, 12)}-${random.slice(12)}${check}`;
    return { ok: true, value: { key, prefix: prefix.toUpperCase(), tier: tier.toLowerCase(), shape: 'current' } };
  }
  // The legacy shape from the old JSONL log: PREFIX-TIER-xxxx-xxxx, no check character; kept as typed.
  if (parts.length === 4 && parts.every((p) => /^[A-Za-z0-9]+$/.test(p)) && parts[2]!.length >= 4 && parts[3]!.length >= 4) {
    return { ok: true, value: { key: trimmed, prefix: parts[0]!.toUpperCase(), tier: parts[1]!.toLowerCase(), shape: 'legacy' } };
  }
  return { ok: false, reason: `"${input}" is not a license key (expected PREFIX-TIER-XXXX-XXXX-XXXX-XXXXX or the legacy PREFIX-TIER-xxxx-xxxx)` };
}

export function looksLikeLicenseKey(input: string): boolean {
  return /^[A-Za-z0-9]+-[A-Za-z0-9]+-[A-Za-z0-9]{4,}-[A-Za-z0-9]{4,}/.test(input.trim());
}

function encodeBase32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Luhn mod N over the alphabet (catches every single-character error and most adjacent swaps). */
export function checkCharacter(head: string, random: string): string {
  const n = ALPHABET.length;
  const input = (head.replace(/[^0-9A-Z]/gi, '').toUpperCase() + random).split('').map((ch) => {
    const idx = ALPHABET.indexOf(ch);
    return idx >= 0 ? idx : ch.charCodeAt(0) % n;
  });
  let factor = 2;
  let sum = 0;
  for (let i = input.length - 1; i >= 0; i--) {
    let addend = factor * input[i]!;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / n) + (addend % n);
    sum += addend;
  }
  return ALPHABET[(n - (sum % n)) % n]!;
}
