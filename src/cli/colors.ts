// The one place colour is decided, per stream: NO_COLOR wins, then FORCE_COLOR, then whether that stream is
// a terminal. Messages (stderr) use `color`; results (stdout) use `outColor`, so `list > out.txt` typed in a
// terminal writes no escape codes into the file.
const env = process.env;
const decide = (stream: NodeJS.WriteStream) =>
  env.NO_COLOR ? false : env.FORCE_COLOR && env.FORCE_COLOR !== '0' ? true : Boolean(stream.isTTY) && env.TERM !== 'dumb';

/** Every SGR code this module emits: rendered output keeps exactly these escape sequences (terminal-text.ts). */
export const STYLE_CODES = [1, 2, 22, 31, 32, 33, 36, 39] as const;
type StyleCode = (typeof STYLE_CODES)[number];

function palette(enabled: boolean) {
  const wrap = (open: StyleCode, close: StyleCode) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { enabled, bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

/** For stderr: messages, warnings, progress. */
export const color = palette(decide(process.stderr));
/** For stdout: tables, blobs, verdicts. */
export const outColor = palette(decide(process.stdout));
