// Is an imported blob really ours? Its signature must check out with a known public key and it must be
// for the same license key. An expired blob is still a verified one: that is history, not forgery.
import { checkBlob } from '../license/check-blob.js';
import type { LicenseFormat } from '../license/format.js';
import type { PublicKey } from '../keys/key-store.js';
import type { BlobCheck } from './import-events.js';
import type { LicenseRecord } from './license-record.js';

const SIGNATURE_OK = new Set(['expired', 'not-yet-valid']);

export function importBlobChecker(format: LicenseFormat, keys: PublicKey[], now: Date, product: string): (r: LicenseRecord) => BlobCheck {
  return (r) => {
    if (r.format !== undefined && r.format !== format.name) return { verified: false, kid: null };
    const result = checkBlob(r.blob, format, { keys, now, product: r.product ?? product });
    const signed = result.valid || (result.reason !== undefined && SIGNATURE_OK.has(result.reason));
    const sameKey = result.claims?.sub.toUpperCase() === r.licenseKey.toUpperCase();
    // Not even decodable as the configured format: do not list it as one ("format: jws" for a DTLIC2 blob).
    const foreign = result.reason === 'malformed' && result.claims === undefined;
    return { verified: signed && sameKey, kid: result.kid ?? null, ...(foreign ? { format: legacyFormatName(r.blob) } : {}) };
  };
}

/** "legacy:DTLIC2" for a tagged blob of a format we cannot read, "legacy" otherwise. */
export function legacyFormatName(blob: string): string {
  const tag = /^([A-Za-z][A-Za-z0-9]{1,15}):/.exec(blob)?.[1];
  return tag ? `legacy:${tag.toUpperCase()}` : 'legacy';
}
