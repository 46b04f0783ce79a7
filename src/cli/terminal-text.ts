// Text from outside (a server's answer, an order id) printed on a terminal: control characters (escape
// sequences, carriage returns, bidi overrides) are shown as \u{..} instead of acting on the terminal.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
