// The one window every date from outside the server (webhook payloads, admin request bodies) must fall in.
// JavaScript dates reach ±275760 years, but an expiry near that end overflows the moment a grace period is
// added (RangeError deep in fulfilment, long after the delivery was answered 2xx). A real sale, renewal or
// cancellation is never before 2000 nor after 2200, so anything outside is refused where it is parsed.
import { EARLIEST_SIGNED_DATE_SEC, LATEST_SIGNED_DATE_SEC } from '../verify/claims.js';

// The same window as the dates a license may carry (verify/claims.ts), so whatever is accepted can be signed.
export const EARLIEST_ACCEPTED_MS = EARLIEST_SIGNED_DATE_SEC * 1000;
export const LATEST_ACCEPTED_MS = LATEST_SIGNED_DATE_SEC * 1000;
export const DATE_WINDOW_TEXT = '2000-01-01 and 2200-01-01 (UTC)';

export function inDateWindow(ms: number): boolean {
  return Number.isFinite(ms) && ms >= EARLIEST_ACCEPTED_MS && ms < LATEST_ACCEPTED_MS;
}

// ISO 8601 as providers send it: a date, optionally a time with up to 9 fraction digits and a zone.
// Stricter than Date.parse alone, which turns "5" into May 2001.
const ISO_SHAPE = /^[+-]?\d{4,6}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?\s?(?:Z|UTC|[+-]\d{2}(?::?\d{2})?)?)?$/i;

export type DateCheck = { ok: true; ms: number } | { ok: false; problem: string };

/** An ISO-8601 text inside the window, or why not ("is not an ISO-8601 date", "is out of range ..."). */
export function checkIsoDate(text: string): DateCheck {
  const trimmed = text.trim();
  const ms = ISO_SHAPE.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(ms)) return { ok: false, problem: `is not an ISO-8601 date: ${quote(text)}` };
  if (!inDateWindow(ms)) return { ok: false, problem: `is out of range: ${quote(text)} (dates must fall between ${DATE_WINDOW_TEXT})` };
  return { ok: true, ms };
}

/** Unix seconds (Stripe's timestamps) inside the window, or why not. */
export function checkUnixSeconds(value: number): DateCheck {
  if (!Number.isFinite(value) || !Number.isInteger(value)) return { ok: false, problem: `is not a whole number of Unix seconds: ${quote(String(value))}` };
  const ms = value * 1000;
  if (!inDateWindow(ms)) return { ok: false, problem: `is out of range: ${quote(String(value))} (dates must fall between ${DATE_WINDOW_TEXT})` };
  return { ok: true, ms };
}

/** A value from outside, shortened and quoted so a message naming it stays one short line. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}
