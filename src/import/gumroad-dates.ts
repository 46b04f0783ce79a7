// Gumroad's date and time cells -> one UTC instant, or the reason why not. Pure.
//
// Gumroad writes `Purchase Date` as Date#to_s ("2025-03-10") and `Purchase Time (UTC timezone)` as Time#to_s
// ("2025-03-10 17:02:00 +0000"; " UTC" for a UTC-flagged Time), see antiwork/gumroad
// app/services/exports/purchase_export_service.rb. A spreadsheet that re-saves the file may leave either as it
// was or rewrite it in its locale: US dates ("3/10/2025", "3/10/25"), day-first dates ("10/03/2025" in the UK,
// "10.03.2025" in Germany), month names ("Mar 10, 2025", "10-Mar-25"), a bare or 12-hour time ("17:02",
// "5:02:00 PM"), ISO ("2025-03-10T17:02:00Z"), or the whole date-time in the date column.

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

interface ClockTime {
  hour: number;
  minute: number;
  second: number;
  ms: number;
  /** Minutes east of UTC, or null when the cell names no zone (then it is UTC, as the column says). */
  offset: number | null;
}

interface Cell {
  date: CalendarDate | null;
  time: ClockTime | null;
}

/** Gumroad opened in 2011: an earlier sale date is a misread cell, not a sale. */
export const FIRST_SALE_YEAR = 2011;

/**
 * How a file's dates with slashes read: month first (the US, where Gumroad is, and the default) or day first (a
 * spreadsheet in a UK or European locale re-saved it). One file holds one locale's dates: see slashEvidence.
 */
export type SlashOrder = 'mdy' | 'dmy';

const ISO_DATE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})/;
const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})(?!\d)/;
/** Day first: how German-speaking and other European locales write a date. */
const DOT_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d)/;
const NAMED_MDY = /^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?!\d)/;
const NAMED_DMY = /^(\d{1,2})[\s-]([A-Za-z]{3,9})\.?[\s-](\d{4}|\d{2})(?!\d)/;
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:\s*([AaPp])\.?[Mm]\.?)?/;
const ZONE = /^\s*(?:(Z|UTC|GMT)|([+-])(\d{2}):?(\d{2})?)$/i;

export function isCalendarDate({ year, month, day }: CalendarDate): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseTime(text: string): ClockTime | null {
  const m = TIME.exec(text);
  if (!m) return null;
  let hour = Number(m[1]);
  const [minute, second] = [Number(m[2]), Number(m[3] ?? 0)];
  const ms = m[4] ? Math.floor(Number(`0.${m[4]}`) * 1000) : 0;
  if (m[5]) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (m[5].toLowerCase() === 'p' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59) return null;
  const rest = text.slice(m[0].length);
  if (rest.trim() === '') return { hour, minute, second, ms, offset: null };
  const z = ZONE.exec(rest);
  if (!z) return null;
  if (z[1]) return { hour, minute, second, ms, offset: 0 };
  const [oh, om] = [Number(z[3]), Number(z[4] ?? 0)];
  if (oh > 14 || om > 59) return null;
  return { hour, minute, second, ms, offset: (z[2] === '-' ? -1 : 1) * (oh * 60 + om) };
}

/** "Mar", "March", "Sept" -> 3, 3, 9; anything else -> null. */
function monthNumber(name: string): number | null {
  const n = name.toLowerCase();
  const i = MONTHS.findIndex((m) => m.startsWith(n) && (n.length >= 3));
  return i < 0 || (n.length > 3 && n !== MONTHS[i] && n !== 'sept') ? null : i + 1;
}

const fullYear = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));

/** The calendar date a cell starts with, and how many characters it took. */
function leadingDate(t: string, order: SlashOrder): { date: CalendarDate; length: number } | null {
  let m = ISO_DATE.exec(t);
  if (m) return { date: { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, length: m[0].length };
  m = SLASH_DATE.exec(t);
  if (m) {
    const [first, second] = [Number(m[1]), Number(m[2])];
    const date = order === 'mdy' ? { month: first, day: second } : { month: second, day: first };
    return { date: { year: fullYear(m[3]!), ...date }, length: m[0].length };
  }
  m = DOT_DATE.exec(t);
  if (m) return { date: { year: fullYear(m[3]!), month: Number(m[2]), day: Number(m[1]) }, length: m[0].length };
  m = NAMED_MDY.exec(t);
  if (m && monthNumber(m[1]!)) return { date: { year: Number(m[3]), month: monthNumber(m[1]!)!, day: Number(m[2]) }, length: m[0].length };
  m = NAMED_DMY.exec(t);
  if (m && monthNumber(m[2]!)) return { date: { year: fullYear(m[3]!), month: monthNumber(m[2]!)!, day: Number(m[1]) }, length: m[0].length };
  return null;
}

/** A date, a time, or a date and a time ("2025-03-10 17:02:00 +0000", "3/10/2025 5:02 PM", ISO with T). */
function parseCell(text: string, order: SlashOrder): Cell | null {
  const t = text.trim();
  const lead = leadingDate(t, order);
  if (!lead) {
    const time = parseTime(t);
    return time ? { date: null, time } : null;
  }
  const { date } = lead;
  if (!isCalendarDate(date)) return null;
  const rest = t.slice(lead.length);
  if (rest.trim() === '') return { date, time: null };
  // "2025-03-10T17:02", "3/10/2025 17:02", "3/10/2025, 5:02 PM" (a date-time as some locales print it)
  const sep = /^(?:T|,?\s+)/.exec(rest);
  if (!sep) return null;
  const time = parseTime(rest.slice(sep[0].length));
  return time ? { date, time } : null;
}

/**
 * What one row says about its file's slash order: a first number above 12 ("13/3/2025") can only be a day, a
 * second one above 12 ("3/13/2025") only a day too; an ambiguous date ("3/10/2025") says which it is when the
 * time cell carries the full date as Gumroad wrote it ("2025-03-10 17:02:00 +0000"). Null: nothing to tell.
 */
export function slashEvidence(dateCell: string, timeCell: string): SlashOrder | null {
  const m = SLASH_DATE.exec(dateCell.trim());
  if (!m) return null;
  const [first, second] = [Number(m[1]), Number(m[2])];
  if (first > 12 && second <= 12) return 'dmy';
  if (second > 12 && first <= 12) return 'mdy';
  if (first === second) return null;
  const t = ISO_DATE.exec(timeCell.trim());
  if (!t) return null;
  const [month, day] = [Number(t[2]), Number(t[3])];
  if (first === month && second === day) return 'mdy';
  if (first === day && second === month) return 'dmy';
  return null;
}

export const looksLikeSlashDate = (cell: string): boolean => SLASH_DATE.test(cell.trim());

function instant(date: CalendarDate, time: ClockTime | null): number {
  const t = time ?? { hour: 0, minute: 0, second: 0, ms: 0, offset: 0 };
  return Date.UTC(date.year, date.month - 1, date.day, t.hour, t.minute, t.second, t.ms) - (t.offset ?? 0) * 60_000;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

function notADate(column: string, cell: string, order: SlashOrder): string {
  const slashed = /^\s*(\d{1,2})\/(\d{1,2})\//.exec(cell);
  const misread = slashed && Number(slashed[order === 'mdy' ? 1 : 2]) > 12;
  const hint = misread ? ` (dates with slashes are read as ${order === 'mdy' ? 'month/day/year' : 'day/month/year'} in this file)` : '';
  return `"${column}" is not a date: "${cell.trim()}"${hint}`;
}

/**
 * `Purchase Date` and `Purchase Time (UTC timezone)` -> ISO 8601 UTC. When both cells carry a date they must
 * name the same UTC day (Gumroad writes both from created_at in UTC); when both carry a time, the same instant.
 * The result must fall between 2011 and a day after `now`.
 */
export function gumroadPurchaseInstant(dateCell: string, timeCell: string, now: Date, order: SlashOrder = 'mdy'): Parsed<string> {
  const d = parseCell(dateCell, order);
  if (!d?.date) return { ok: false, reason: notADate('Purchase Date', dateCell, order) };
  let at = instant(d.date, d.time);
  if (timeCell.trim() !== '') {
    const t = parseCell(timeCell, order);
    if (!t?.time) return { ok: false, reason: `"Purchase Time (UTC timezone)" is not a time: "${timeCell.trim()}"` };
    const fromTime = t.date ? instant(t.date, t.time) : instant(d.date, t.time);
    if (t.date && day(fromTime) !== day(instant(d.date, null))) {
      return { ok: false, reason: `"Purchase Date" ${day(instant(d.date, null))} and "Purchase Time (UTC timezone)" "${timeCell.trim()}" are different days` };
    }
    if (d.time && fromTime !== at) return { ok: false, reason: `"Purchase Date" "${dateCell.trim()}" and "Purchase Time (UTC timezone)" "${timeCell.trim()}" are different times` };
    at = fromTime;
  }
  const year = new Date(at).getUTCFullYear();
  if (year < FIRST_SALE_YEAR) return { ok: false, reason: `"Purchase Date" ${day(at)} is before Gumroad's first sale (${FIRST_SALE_YEAR})` };
  if (at > now.getTime() + 86_400_000) return { ok: false, reason: `"Purchase Date" ${new Date(at).toISOString()} is in the future (now is ${now.toISOString()})` };
  return { ok: true, value: new Date(at).toISOString() };
}

/** A date-only column such as `Subscription End Date` (Date#to_s) -> "YYYY-MM-DD"; empty -> null. */
export function gumroadDay(column: string, cell: string, order: SlashOrder = 'mdy'): Parsed<string | null> {
  if (cell.trim() === '') return { ok: true, value: null };
  const c = parseCell(cell, order);
  if (!c?.date || c.date.year < FIRST_SALE_YEAR || c.date.year > 9999) return { ok: false, reason: notADate(column, cell, order) };
  return { ok: true, value: day(instant(c.date, c.time)) };
}
