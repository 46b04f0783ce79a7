// Output channels: data on stdout (exactly one JSON document with --json), people's messages on stderr.
// The one place human output is made safe for terminals (terminal-text.ts); --json stays exact.
import { color, outColor } from './colors.js';
import { terminalSafe } from './terminal-text.js';

export interface Output {
  data(text: string): void;
  json(value: unknown): void;
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
