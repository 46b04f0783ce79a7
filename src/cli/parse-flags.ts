// Turning flag strings into typed values once, at the boundary, with errors that name the flag.
import { UsageError } from '../errors.js';
import { SIGNABLE_DATES_TEXT } from '../license/build-claims.js';
import { isSignableDate } from '../verify/claims.js';

/** "2027-01-31" (midnight UTC) or a full ISO timestamp. */
export function parseDate(value: string, flag: string): Date {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new UsageError(`${flag} expects a date like 2027-01-31, got "${value}"`);
  return date;
}

/** A date that goes into a signed license (--expires, --until, --updates-until): inside the signable window. */
export function parseSignableDate(value: string, flag: string): Date {
  const date = parseDate(value, flag);
  if (!isSignableDate(Math.floor(date.getTime() / 1000))) throw new UsageError(`${flag} ${value} is out of range: license dates run ${SIGNABLE_DATES_TEXT}`);
  return date;
}

export function parsePositiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} expects a positive whole number, got "${value}"`);
  return Number(value);
}

/** "30d", "12w", "6m" (30-day months), "1y" -> days. */
export function parseDays(value: string, flag: string): number {
  const m = /^(\d+)\s*([dwmy]?)$/i.exec(value.trim());
  if (!m) throw new UsageError(`${flag} expects a duration like 30d, 8w, 6m or 1y, got "${value}"`);
  const n = Number(m[1]);
  const unit = (m[2] || 'd').toLowerCase();
  return n * ({ d: 1, w: 7, m: 30, y: 365 } as Record<string, number>)[unit]!;
}
