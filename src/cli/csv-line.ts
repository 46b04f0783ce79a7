// One CSV record, shared by whole-document CSV (render.ts) and streamed CSV (io.ts).
/** One CSV record without its line end (formula-looking cells are defused with a leading quote). */
export function csvLine(row: readonly unknown[]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return row.map(cell).join(',');
}
