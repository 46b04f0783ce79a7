// Dates as old exports wrote them -> ISO 8601 UTC. Pure.

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2}|\s?UTC|\s?GMT)$/i;

/** "2024-03-01", "2024-03-01T10:00:00Z", "2024-03-01T12:00:00+02:00", "2024-03-01 10:00:00" (read as UTC). */
export function normalizeTimestamp(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  const dateOnly = DATE_ONLY.exec(t);
  const iso = dateOnly ? `${t}T00:00:00Z` : HAS_ZONE.test(t) ? t.replace(/\s?(UTC|GMT)$/i, 'Z').replace(' ', 'T') : `${t.replace(' ', 'T')}Z`;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(iso)) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  if (dateOnly && new Date(ms).toISOString().slice(0, 10) !== t) return null; // 2024-02-30
  return new Date(ms).toISOString();
}

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** Gumroad's `Purchase Date` (2024-03-01, 3/1/2024, or with a time) plus `Purchase Time (UTC timezone)`. */
export function gumroadTimestamp(date: string, time: string | undefined): string | null {
  let d = date.trim();
  const us = US_DATE.exec(d.split(/[ T]/)[0] ?? '');
  if (us) d = `${us[3]}-${us[1]!.padStart(2, '0')}-${us[2]!.padStart(2, '0')}${d.slice(us[0].length)}`;
  const t = (time ?? '').trim().replace(/\s?(UTC|GMT)$/i, '');
  if (t && DATE_ONLY.test(d)) {
    if (!/^\d{1,2}:\d{2}(:\d{2})?$/.test(t)) return null;
    const [h, m, s = '00'] = t.split(':');
    return normalizeTimestamp(`${d}T${h!.padStart(2, '0')}:${m}:${s}Z`);
  }
  return normalizeTimestamp(d);
}

export function sameInstant(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return Date.parse(a) === Date.parse(b);
}
