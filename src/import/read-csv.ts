// Streams CSV records with csv-parse (never the whole file in memory), with the line each record starts on.
import { parse } from 'csv-parse';
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  line: number;
  cells: string[];
}

/** Spreadsheet exports guard cells that would run as formulas with a leading quote; take it off again. */
export function unescapeFormula(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

// csv-parse reports the line a record ends on, counting \r and \n inside quotes separately.
function embeddedLineBreaks(cells: string[]): number {
  let n = 0;
  for (const c of cells) for (let i = 0; i < c.length; i++) if (c.charCodeAt(i) === 10 || c.charCodeAt(i) === 13) n++;
  return n;
}

export async function* readCsv(file: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<CsvRecord> {
  const stream = createReadStream(file);
  const parser = stream.pipe(parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: true }));
  let count = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (++count % 1000 === 0) onBytes?.(stream.bytesRead);
      yield { line: info.lines - embeddedLineBreaks(record), cells: record.map(unescapeFormula) };
    }
  } finally {
    stream.destroy();
  }
  onBytes?.(stream.bytesRead);
}
