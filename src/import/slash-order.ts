// Which way a Gumroad sales file's dates with slashes read: a spreadsheet re-saves "2025-03-10" as "3/10/2025"
// in the US and "10/03/2025" in the UK, and one file holds one locale's dates. Streams the file until a row
// tells (a day above 12, or a date Gumroad's full `Purchase Time` cell confirms), so a US or UK file costs a few
// rows; a file with no slash dates in its first rows (Gumroad's own ISO dates) stops there.
import { mapGumroadHeader } from './gumroad-columns.js';
import { looksLikeSlashDate, slashEvidence, type SlashOrder } from './gumroad-dates.js';
import { readCsv, type CsvOptions } from './read-csv.js';

/** Rows without a single slash date after which a file is taken to have none. */
const NO_SLASHES_AFTER = 1_000;

export async function slashDateOrder(file: string, csv: Omit<CsvOptions, 'onBytes'>): Promise<SlashOrder> {
  let columns: { date: number; time: number | undefined } | null = null;
  let rows = 0;
  let sawSlashDate = false;
  for await (const { cells } of readCsv(file, csv)) {
    if (!columns) {
      const mapped = mapGumroadHeader(cells);
      if (!mapped.ok || mapped.columns.purchaseDate === undefined) return 'mdy';
      columns = { date: mapped.columns.purchaseDate, time: mapped.columns.purchaseTime };
      continue;
    }
    const date = cells[columns.date] ?? '';
    const time = columns.time === undefined ? '' : (cells[columns.time] ?? '');
    rows++;
    if (!looksLikeSlashDate(date) && !looksLikeSlashDate(time)) {
      if (!sawSlashDate && rows >= NO_SLASHES_AFTER) return 'mdy';
      continue;
    }
    sawSlashDate = true;
    const evidence = slashEvidence(date, time) ?? slashEvidence(time, '');
    if (evidence) return evidence;
  }
  return 'mdy';
}
