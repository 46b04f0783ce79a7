// Ordinary failures of the outside world (a missing directory, a file that is not a ledger) are the
// user's to fix: a message, not a stack trace.
import { UserError } from '../errors.js';

const FS_CODES: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

export function asUserError(error: unknown): UserError | null {
  const e = error as { code?: string; path?: string; message?: string; name?: string };
  if (typeof e?.code !== 'string') {
    if (e?.name === 'TypeError' && /directory does not exist/.test(e.message ?? '')) return new UserError(e.message!.replace(/^Cannot save backup because/, 'cannot write there:'));
    return null;
  }
  const fsReason = FS_CODES[e.code];
  if (fsReason) return new UserError(`${e.path ? `${e.path}: ` : ''}${fsReason}`, { cause: error });
  if (e.code === 'SQLITE_NOTADB') return new UserError('that file is not a license-admin ledger (not an SQLite database); check --ledger / LICENSE_ADMIN_LEDGER', { cause: error });
  if (e.code === 'SQLITE_CORRUPT') return new UserError('the ledger file is damaged; restore it from a backup ("license-admin backup" makes them)', { cause: error });
  if (e.code === 'SQLITE_READONLY' || e.code === 'SQLITE_CANTOPEN') return new UserError(`cannot open the ledger for writing (${e.code}); check the file's permissions and directory`, { cause: error });
  return null;
}
