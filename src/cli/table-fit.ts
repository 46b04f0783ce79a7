// Tables fit the terminal they are shown in: when a table would be wider than the window, its widest
// columns are cut to size and their long cells end in "…" (keys, ids and dates are never cut). When
// stdout is not a terminal (a pipe, a file) every value is kept whole. Pure, except `terminalColumns`.
// Cutting, not wrapping: a table cell stays one line (render.ts escapes line breaks in cells).
import { safeCell } from './terminal-text.js';

const SGR = /\u001b\[[0-9;]*m/g;
const ELLIPSIS = '…';
/** The narrowest a cut column gets (or its heading, if that is longer). */
const MIN_WIDTH = 8;

/** The width of the window stdout is shown in; undefined when stdout is not a terminal. */
export function terminalColumns(stream: { isTTY?: boolean; columns?: number } = process.stdout): number | undefined {
  return stream.isTTY && stream.columns ? stream.columns : undefined;
}

/** Characters a cell shows: colour codes take no room. (Wide CJK characters count as one; good enough here.) */
export function visibleWidth(text: string): number {
  return Math.max(0, ...text.split('\n').map((line) => [...line.replace(SGR, '')].length));
}

/** cli-table3's default style: one space of padding each side and a border between and around columns. */
export function tableWidth(widths: readonly number[]): number {
  return widths.reduce((sum, w) => sum + w + 3, 1);
}

/**
 * Column widths that fit `columns`: the widest columns not in `keep` are capped at one common width,
 * as high as still fits (never below MIN_WIDTH or the column's floor, e.g. its heading). Unchanged when
 * the table fits already; when even the floors do not fit, the floors (the terminal then wraps).
 */
export function fitColumnWidths(natural: readonly number[], floors: readonly number[], columns: number, keep: ReadonlySet<number> = new Set()): number[] {
  if (tableWidth(natural) <= columns) return [...natural];
  const floor = natural.map((w, i) => (keep.has(i) ? w : Math.min(w, Math.max(MIN_WIDTH, floors[i] ?? 0))));
  const capped = (cap: number) => natural.map((w, i) => (keep.has(i) ? w : Math.max(floor[i]!, Math.min(w, cap))));
  let [low, high] = [0, Math.max(...natural)];
  while (low < high) {
    const cap = Math.ceil((low + high) / 2);
    if (tableWidth(capped(cap)) <= columns) low = cap;
    else high = cap - 1;
  }
  return capped(low);
}

/** The cell cut to `width` visible characters, ending in "…"; colour codes are kept so colours still close. */
export function cutCell(text: string, width: number): string {
  return text.split('\n').map((line) => cutLine(line, width)).join('\n');
}

function cutLine(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line;
  let out = '';
  let shown = 0;
  for (const token of line.match(/\u001b\[[0-9;]*m|[\s\S]/gu) ?? []) {
    if (token.length > 1 && token.startsWith('\u001b[')) out += token;
    else if (shown < width - 1) {
      out += token;
      shown++;
    } else if (shown === width - 1) {
      out += ELLIPSIS;
      shown++;
    }
  }
  return out;
}

export interface FitOptions {
  /** Columns that are never cut (license keys, ids, dates). */
  keep?: readonly number[];
  /** The narrowest a column may be cut to, when its heading is not the limit (e.g. the fixed part of a status). */
  floors?: Readonly<Record<number, number>>;
}

/** The width each column may have to fit `columns`; null when nothing needs cutting (or not a terminal). */
export function fitWidths(head: readonly string[], rows: readonly string[][], columns: number | undefined, options: FitOptions = {}): number[] | null {
  if (columns === undefined || rows.length === 0) return null;
  const natural = head.map((h, i) => Math.max(visibleWidth(h), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const floors = head.map((h, i) => Math.max(visibleWidth(h), options.floors?.[i] ?? 0));
  const widths = fitColumnWidths(natural, floors, columns, new Set(options.keep ?? []));
  return widths.some((w, i) => w < natural[i]!) ? widths : null;
}

/** The rows of a table, cut so the table fits `columns` (undefined: not a terminal, keep everything). */
export function fitRows(head: readonly string[], rows: readonly string[][], columns: number | undefined, keep: readonly number[] = []): string[][] {
  // Measured as shown: a control character takes the width of its escape (table() escapes the same way).
  const shown = rows.map((r) => r.map((cell) => safeCell(cell)));
  const widths = fitWidths(head, shown, columns, { keep });
  return shown.map((r) => r.map((cell, i) => (widths ? cutCell(cell, widths[i]!) : cell)));
}
