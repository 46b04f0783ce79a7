// Output channels: data on stdout (exactly one JSON document with --json), people's messages on stderr.
// The one place human output is made safe for terminals (terminal-text.ts); --json stays exact.
import { color, outColor } from './colors.js';
import { csvLine } from './csv-line.js';
import { terminalSafe } from './terminal-text.js';

export interface Output {
  data(text: string): void;
  json(value: unknown): void;
  /** The same document as json([...items]), written as the items come (memory stays flat on a big ledger). */
  jsonArray(items: Iterable<unknown>): Promise<void>;
  /** CSV (header, then one record per row, CRLF) written as the rows come; cells already made safe by the caller. */
  csvRows(header: readonly string[], rows: Iterable<readonly unknown[]>): Promise<void>;
  info(text: string): void;
  warn(text: string): void;
  /** Progress lines only when stderr is a terminal. */
  progress(text: string): void;
  progressDone(): void;
}

let jsonWritten = false;

/** Has this process already printed its one --json document? Then a later failure must not add a second. */
export function jsonDocumentWritten(): boolean {
  return jsonWritten;
}

export function createOutput(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  const tty = Boolean(stderr.isTTY);
  let progressShown = false;
  return {
    data: (text) => stdout.write(terminalSafe(text.endsWith('\n') ? text : `${text}\n`, outColor.enabled)),
    json: (value) => {
      jsonWritten = true;
      stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    async jsonArray(items) {
      jsonWritten = true;
      const chunks = new ChunkedWriter(stdout);
      let first = true;
      for (const item of items) {
        // Each element as JSON.stringify(array, null, 2) would indent it.
        await chunks.write(`${first ? '[\n' : ',\n'}  ${JSON.stringify(item, null, 2).replace(/\n/g, '\n  ')}`);
        first = false;
      }
      await chunks.write(first ? '[]\n' : '\n]\n');
      await chunks.flush();
    },
    async csvRows(header, rows) {
      const chunks = new ChunkedWriter(stdout);
      await chunks.write(`${csvLine(header)}\r\n`);
      for (const row of rows) await chunks.write(terminalSafe(`${csvLine(row)}\r\n`, outColor.enabled));
      await chunks.flush();
    },
    info: (text) => stderr.write(`${terminalSafe(text, color.enabled)}\n`),
    warn: (text) => stderr.write(`warning: ${terminalSafe(text, color.enabled)}\n`),
    progress: (text) => {
      if (!tty) return;
      stderr.write(`\r\u001b[2K${terminalSafe(text, color.enabled)}`);
      progressShown = true;
    },
    progressDone: () => {
      if (progressShown) stderr.write('\r\u001b[2K');
      progressShown = false;
    },
  };
}

export function isInteractive(env: Record<string, string | undefined> = process.env): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !env.CI;
}

/** Gathers small writes into ~64 KiB ones and waits for 'drain' when the stream's buffer is full. */
class ChunkedWriter {
  private pending: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.size += text.length;
    if (this.size >= 65_536) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.size = 0;
    if (!this.stream.write(text)) await new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }
}
