// "keys backup" files: public info in the clear for inspection, the seeds sealed with a passphrase.
import { UserError } from '../errors.js';
import type { KeyRecord } from './key-registry.js';
import { open, seal, type SealedBox } from './passphrase-box.js';

export const BACKUP_TYPE = 'license-admin-key-backup';

export interface KeyBackup {
  type: typeof BACKUP_TYPE;
  v: 1;
  createdAt: string;
  keys: Pick<KeyRecord, 'kid' | 'x' | 'createdAt' | 'active'>[];
  sealed: SealedBox;
}

export function createBackup(entries: { record: KeyRecord; seed: Buffer }[], passphrase: string, now: Date): KeyBackup {
  const secret = Buffer.from(JSON.stringify(entries.map((e) => ({ kid: e.record.kid, seed: e.seed.toString('base64') }))));
  return {
    type: BACKUP_TYPE,
    v: 1,
    createdAt: now.toISOString(),
    keys: entries.map(({ record }) => ({ kid: record.kid, x: record.x, createdAt: record.createdAt, active: record.active })),
    sealed: seal(secret, passphrase),
  };
}

export function isBackup(value: unknown): value is KeyBackup {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === BACKUP_TYPE;
}

export function openBackup(backup: KeyBackup, passphrase: string, file: string): { kid: string; seed: Buffer; active: boolean }[] {
  const seeds = JSON.parse(open(backup.sealed, passphrase, file).toString('utf8')) as { kid: string; seed: string }[];
  return seeds.map((s) => {
    const meta = backup.keys.find((k) => k.kid === s.kid);
    if (!meta) throw new UserError(`${file} is inconsistent (key ${s.kid} has no public record)`);
    return { kid: s.kid, seed: Buffer.from(s.seed, 'base64'), active: meta.active };
  });
}
