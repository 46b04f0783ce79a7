// The two levels of terminal safety (src/cli/terminal-text.ts), one line per case.
import { expect, test } from 'vitest';
import { safeCell, safeText, terminalSafe } from '../src/cli/terminal-text.js';

test.each([
  ['plain', 'Jane Doe', 'Jane Doe'],
  ['ESC CSI', '\u001b[2J', '\\u{1b}[2J'],
  ['CR LF', 'a\r\nb', 'a\\u{d}\\u{a}b'],
  ['tab', 'a\tb', 'a\\u{9}b'],
  ['C1 CSI and DEL', '\u009b2J\u007f', '\\u{9b}2J\\u{7f}'],
  ['bidi override and isolate', '\u202eabc\u2066', '\\u{202e}abc\\u{2066}'],
  ['already escaped text is left alone (idempotent)', '\\u{1b}[2J', '\\u{1b}[2J'],
  ['non-ASCII letters are kept', 'Renée 東京 🔑', 'Renée 東京 🔑'],
])('safeText: %s', (_label, input, expected) => expect(safeText(input)).toBe(expected));

test.each([
  ['our colour kept when colour is on', '\u001b[31mrevoked\u001b[39m', true, '\u001b[31mrevoked\u001b[39m'],
  ['our colour escaped when colour is off', '\u001b[31mx\u001b[39m', false, '\\u{1b}[31mx\\u{1b}[39m'],
  ['a colour we never emit is escaped', '\u001b[8mhidden\u001b[30;40m', true, '\\u{1b}[8mhidden\\u{1b}[30;40m'],
  ['a newline in a cell is escaped', 'a\nVALID', true, 'a\\u{a}VALID'],
])('safeCell: %s', (_label, input, styles, expected) => expect(safeCell(input, styles)).toBe(expected));

test.each([
  ['lines and tabs pass', 'a\n\tb\n', false, 'a\n\tb\n'],
  ['CRLF passes (CSV), a lone CR does not', 'a,b\r\nc\rd', false, 'a,b\r\nc\\u{d}d'],
  ['clear screen and cursor home are escaped', 'x\u001b[2J\u001b[H', true, 'x\\u{1b}[2J\\u{1b}[H'],
  ['an OSC title sequence is escaped', '\u001b]0;pwned\u0007', true, '\\u{1b}]0;pwned\\u{7}'],
  ['our colour kept with colour on', '\u001b[1mKey\u001b[22m', true, '\u001b[1mKey\u001b[22m'],
])('terminalSafe: %s', (_label, input, styles, expected) => expect(terminalSafe(input, styles)).toBe(expected));
