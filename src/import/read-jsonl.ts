// Streams a JSONL file line by line (never the whole file in memory). Tolerates a BOM, CRLF, trailing
// whitespace, blank lines and a missing final newline; a broken line is reported, not fatal.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type JsonlRow = { line: number; fields: Record<string, unknown> } | { line: number; error: string };

export async function* readJsonl(file: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<JsonlRow> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const text = (n === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (n % 1000 === 0) onBytes?.(stream.bytesRead);
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { line: n, error: `not valid JSON (${(error as Error).message})` };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) yield { line: n, error: 'not a JSON object' };
    else yield { line: n, fields: value as Record<string, unknown> };
  }
  onBytes?.(stream.bytesRead);
}
