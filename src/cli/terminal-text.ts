// Text from outside (names, emails, notes, kids, reasons, order ids, a server's answer) printed on a terminal:
// control characters (escape sequences, carriage returns, C1, DEL) and bidi overrides are shown as \u{..}
// instead of acting on the terminal. Two levels:
// - terminalSafe: what Output (io.ts) and the error report apply to everything printed for people. Only
//   newlines, tabs, CRLF (CSV) and this program's own colour codes (colors.ts) pass, so nothing that reaches
//   the terminal can clear it, move the cursor or overwrite a line.
// - safeText / safeCell: for one value inside a line or a table cell, where a newline would start a fake
//   line of output ("VALID"), so newlines are escaped too.
import { STYLE_CODES } from './colors.js';

const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const OWN_STYLE = `\\u001b\\[(?:${STYLE_CODES.join('|')})m`;
const UNSAFE = new RegExp(`[${CONTROL}]`, 'g');
const IN_CELL = new RegExp(`${OWN_STYLE}|[${CONTROL}]`, 'g');
const IN_OUTPUT = new RegExp(`${OWN_STYLE}|\\r\\n|[${CONTROL}]`, 'g');

const escapeChar = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;

/** One value: every control character escaped, newlines and tabs included. Idempotent. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/**
 * A rendered table cell or line part: like safeText, but this program's own colours stay (whether they reach
 * the terminal is decided by terminalSafe, for the stream the text is written to).
 */
export function safeCell(text: string, styles = true): string {
  return text.replace(IN_CELL, (m) => (m.length > 1 ? (styles ? m : safeText(m)) : escapeChar(m)));
}

/** Whole rendered output: newlines, tabs, CRLF and (with `styles`: colour on for that stream) our colours pass. */
export function terminalSafe(text: string, styles: boolean): string {
  return text.replace(IN_OUTPUT, (m) => {
    if (m === '\n' || m === '\t' || m === '\r\n') return m;
    return m.length > 1 && m.startsWith('\u001b[') ? (styles ? m : safeText(m)) : escapeChar(m);
  });
}
