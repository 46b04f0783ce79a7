// The public API for format plugin authors: `import type { LicenseFormat } from 'license-admin/format'`.
// A plugin is an ES module whose default export (or named exports) is `{ name, encode, decode }`; see
// docs/FORMAT-PLUGINS.md. It runs in a worker without the private key: `signer.sign(bytes)` is all it gets.
import type { DecodedBlob, LicenseFormat } from './format.js';

export type { BlobSigner, DecodedBlob, LicenseFormat } from './format.js';
export type { LicenseClaims } from '../verify/claims.js';
export { CLAIM_ORDER, FORMAT_VERSION, readClaims, serializeClaims } from '../verify/claims.js';

/** What a plugin module exports: `name` is optional (the file name is used without it). */
export interface FormatPlugin {
  name?: string;
  encode: LicenseFormat['encode'];
  decode(blob: string): DecodedBlob;
}

/** Identity helper that gives a plain-JS plugin editor type hints: `export default defineFormat({...})`. */
export function defineFormat<T extends FormatPlugin>(plugin: T): T {
  return plugin;
}
