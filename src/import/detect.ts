// What kind of file is this? Looks at the first few KB only.
import { parse } from 'csv-parse/sync';
import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../errors.js';
import { looksLikeEventsHeader } from '../ledger/events-export.js';
import { looksLikeGumroadHeader } from './gumroad-columns.js';
import type { ImportFormat } from './plan.js';

function head(file: string, bytes = 65_536): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
}

export function detectFormat(file: string): ImportFormat {
  const text = head(file).trimStart();
  if (text === '') throw new UserError(`${file} is empty; nothing to import`);
  if (text.startsWith('{')) return looksLikeEventsHeader(text.split(/\r?\n/)[0] ?? '') ? 'events' : 'jsonl';
  const firstLine = text.split(/\r?\n/)[0] ?? '';
  let header: string[] = [];
  try {
    header = (parse(firstLine, { relax_quotes: true, relax_column_count: true }) as string[][])[0] ?? [];
  } catch {
    // not CSV either: fall through to the error below
  }
  if (header.map((h) => h.trim().toLowerCase()).includes('license_key')) return 'csv';
  if (looksLikeGumroadHeader(header)) return 'gumroad-csv';
  throw new UserError(`${file}:1: cannot tell what this file is (not a JSONL log, a license-admin export or a Gumroad sales CSV); pass --format jsonl|csv|gumroad-csv`, { exitCode: 2 });
}
