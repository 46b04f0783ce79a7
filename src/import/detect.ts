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

const DELIMITERS = [',', ';', '\t'] as const;

/** The header line's cells, split by the delimiter that gives the most of them. */
function headerCells(firstLine: string): { delimiter: string; header: string[] } {
  let best = { delimiter: ',', header: [] as string[] };
  for (const delimiter of DELIMITERS) {
    try {
      const header = (parse(firstLine, { relax_quotes: true, relax_column_count: true, delimiter }) as string[][])[0] ?? [];
      if (header.length > best.header.length) best = { delimiter, header };
    } catch {
      // not CSV with this delimiter
    }
  }
  return best;
}

function firstLineOf(file: string): string {
  return head(file).trimStart().split(/\r?\n/)[0] ?? '';
}

/**
 * The CSV delimiter: "," as Gumroad and license-admin write it, or the ";" (or tab) a spreadsheet uses when it
 * re-saves the file in a locale whose decimal separator is a comma.
 */
export function detectDelimiter(file: string): string {
  return headerCells(firstLineOf(file)).delimiter;
}

export function detectFormat(file: string): ImportFormat {
  const text = head(file).trimStart();
  if (text === '') throw new UserError(`${file} is empty; nothing to import`);
  if (text.startsWith('{')) return looksLikeEventsHeader(text.split(/\r?\n/)[0] ?? '') ? 'events' : 'jsonl';
  const { header } = headerCells(text.split(/\r?\n/)[0] ?? '');
  // Gumroad first: a creator's custom field may be called "license_key", and a license-admin export never
  // has Gumroad's Purchase ID / Purchase Email / Purchase Date columns.
  if (looksLikeGumroadHeader(header)) return 'gumroad-csv';
  if (header.map((h) => h.trim().toLowerCase()).includes('license_key')) return 'csv';
  throw new UserError(`${file}:1: cannot tell what this file is (not a JSONL log, a license-admin export or a Gumroad sales CSV); pass --format jsonl|csv|gumroad-csv`, { exitCode: 2 });
}
