// Passphrase encryption for key files and backups: scrypt (N=2^15) + AES-256-GCM.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { UserError } from '../errors.js';

export interface SealedBox {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

const N = 1 << 15;
const r = 8;
const p = 1;

export function seal(plaintext: Buffer, passphrase: string): SealedBox {
  if (passphrase.length < 8) throw new UserError('the passphrase must be at least 8 characters');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(passphrase, salt, 32, { N, r, p, maxmem: 64 * 1024 * 1024 });
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    v: 1, kdf: 'scrypt', N, r, p,
    salt: salt.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64'),
  };
}

export function open(box: SealedBox, passphrase: string, what: string): Buffer {
  if (box?.v !== 1 || box.kdf !== 'scrypt') throw new UserError(`${what} is not a license-admin encrypted file (or from a newer version)`);
  const key = scryptSync(passphrase, Buffer.from(box.salt, 'base64'), 32, { N: box.N, r: box.r, p: box.p, maxmem: 64 * 1024 * 1024 });
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(box.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(box.tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(box.ciphertext, 'base64')), decipher.final()]);
  } catch {
    throw new UserError(`wrong passphrase for ${what} (or the file is damaged)`);
  }
}
