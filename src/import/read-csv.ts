// Streams CSV records with csv-parse (never the whole file in memory), with the line each record starts on.
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  line: number;
  cells: string[];
}

/** The leading characters after which an exporter puts a `'` so a spreadsheet shows the cell instead of running it. */
export const FORMULA_GUARDS = {
  /** license-admin's own export (src/cli/render.ts toCsv). */
  'license-admin': /^'[=+\-@\t\r]/,
  /** Gumroad's CsvSafe, as its spec's csv_safe helper states (= @ | % \r \t + -; a signed number is left as is). */
  gumroad: /^'[=@|%\r\t+-]/,
} as const;

/** Spreadsheet exports guard cells that would run as formulas with a leading quote; take it off again. */
export function unescapeFormula(cell: string, guard: RegExp = FORMULA_GUARDS['license-admin']): string {
  return guard.test(cell) ? cell.slice(1) : cell;
}

export interface CsvOptions {
  onBytes?: (bytesRead: number) => void;
  /** What the file's exporter guarded (see FORMULA_GUARDS). */
  formulaGuard?: RegExp;
  /** "," unless a spreadsheet re-saved the file with its locale's ";" or a tab (see detectDelimiter). */
  delimiter?: string;
}

// csv-parse reports the line a record ends on, counting \r and \n inside quotes separately.
function embeddedLineBreaks(cells: string[]): number {
  let n = 0;
  for (const c of cells) for (let i = 0; i < c.length; i++) if (c.charCodeAt(i) === 10 || c.charCodeAt(i) === 13) n++;
  return n;
}

export async function* readCsv(file: string, options: CsvOptions = {}): AsyncGenerator<CsvRecord> {
  const { onBytes, formulaGuard, delimiter = ',' } = options;
  const stream = createReadStream(file);
  const parser = stream.pipe(parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true, delimiter }));
  let count = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (++count % 1000 === 0) onBytes?.(stream.bytesRead);
      yield { line: info.lines - embeddedLineBreaks(record), cells: record.map((c) => unescapeFormula(c, formulaGuard)) };
    }
  } finally {
    stream.destroy();
  }
  onBytes?.(stream.bytesRead);
}
