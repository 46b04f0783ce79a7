// Dates as old exports wrote them -> ISO 8601 UTC. Pure. (Gumroad's own cells: gumroad-dates.ts.)
import { isCalendarDate } from './gumroad-dates.js';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2}|\s?UTC|\s?GMT)$/i;

/** "2024-03-01", "2024-03-01T10:00:00Z", "2024-03-01T12:00:00+02:00", "2024-03-01 10:00:00" (read as UTC). */
export function normalizeTimestamp(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  const dateOnly = DATE_ONLY.exec(t);
  const iso = dateOnly ? `${t}T00:00:00Z` : HAS_ZONE.test(t) ? t.replace(/\s?(UTC|GMT)$/i, 'Z').replace(' ', 'T') : `${t.replace(' ', 'T')}Z`;
  const m = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  // Date.parse rolls 2024-02-30 over into March: check the calendar day as written.
  if (!m || !isCalendarDate({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) })) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString();
}

export function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return Date.parse(a) === Date.parse(b);
}
