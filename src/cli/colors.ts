// The one place colour is decided: NO_COLOR wins, then FORCE_COLOR, then whether stderr is a terminal.
const env = process.env;
const enabled = env.NO_COLOR ? false : env.FORCE_COLOR && env.FORCE_COLOR !== '0' ? true : Boolean(process.stderr.isTTY) && env.TERM !== 'dumb';

/** Every SGR code this module emits: rendered output keeps exactly these escape sequences (terminal-text.ts). */
export const STYLE_CODES = [1, 2, 22, 31, 32, 33, 36, 39] as const;
type StyleCode = (typeof STYLE_CODES)[number];

const wrap = (open: StyleCode, close: StyleCode) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);

export const color = {
  enabled,
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};
