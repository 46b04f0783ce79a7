// keys.json: the public half of every signing key and where its private half lives. No secrets here.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyStorage } from '../config/config.js';
import { UserError } from '../errors.js';

export interface KeyRecord {
  kid: string;
  /** base64url raw Ed25519 public key (the JWK "x"). */
  x: string;
  createdAt: string;
  /** "remote": the private half is only in a remote signer (an HSM, a KMS), named by `signer`. */
  storage: KeyStorage | 'remote';
  /** For storage "remote": the signer's URI without secrets (signer-uri.ts label). */
  signer?: string;
  active: boolean;
  retiredAt?: string;
}

export function readKeyRegistry(file: string): KeyRecord[] {
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys: KeyRecord[] };
    return parsed.keys;
  } catch (error) {
    throw new UserError(`${file} is damaged (${(error as Error).message}); restore it from a backup or re-import the key`);
  }
}

export function writeKeyRegistry(file: string, keys: KeyRecord[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify({ keys }, null, 2)}\n`);
  renameSync(tmp, file);
}
