// Gumroad's `Custom Fields` cell is Ruby's Hash#to_s of { name => value }: {"Company"=>"Acme", "Agree"=>true}
// (Ruby 3.4 and later: {"Company" => "Acme"}). This reads exactly that literal — string keys, and string,
// true/false/nil or number values with String#inspect escapes — and nothing else (no code is evaluated). Pure.

export type CustomFieldValue = string | boolean | number | null;
export type RubyHash = Record<string, CustomFieldValue>;

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', e: '\u001b', a: '\u0007', b: '\b', f: '\f', v: '\v', s: ' ', '0': '\0' };

class Reader {
  i = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new SyntaxError(`${what} at character ${this.i + 1}`);
  }

  skipSpace(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  expect(token: string): void {
    this.skipSpace();
    if (!this.text.startsWith(token, this.i)) this.fail(`expected ${token}`);
    this.i += token.length;
  }

  string(): string {
    this.expect('"');
    let out = '';
    for (;;) {
      const ch = this.text[this.i++];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === '"') return out;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = this.text[this.i++];
      if (e === undefined) this.fail('unterminated string');
      if (e === 'u') out += this.unicodeEscape();
      else if (e === 'x') out += this.hexEscape();
      else out += SIMPLE_ESCAPES[e] ?? e; // \" \\ \# and any other escaped character stand for themselves
    }
  }

  private unicodeEscape(): string {
    if (this.text[this.i] === '{') {
      const end = this.text.indexOf('}', this.i);
      if (end < 0) this.fail('unterminated \\u{...}');
      const codes = this.text.slice(this.i + 1, end).trim().split(/\s+/).map((h) => Number.parseInt(h, 16));
      this.i = end + 1;
      if (codes.some((c) => !Number.isInteger(c) || c > 0x10ffff)) this.fail('bad \\u{...}');
      return String.fromCodePoint(...codes);
    }
    const hex = this.text.slice(this.i, this.i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
    this.i += 4;
    return String.fromCharCode(Number.parseInt(hex, 16));
  }

  private hexEscape(): string {
    const hex = /^[0-9a-fA-F]{1,2}/.exec(this.text.slice(this.i))?.[0];
    if (!hex) this.fail('bad \\x escape');
    this.i += hex.length;
    return String.fromCharCode(Number.parseInt(hex, 16));
  }

  value(): CustomFieldValue {
    this.skipSpace();
    if (this.text[this.i] === '"') return this.string();
    for (const [word, value] of [['true', true], ['false', false], ['nil', null]] as const) {
      if (this.text.startsWith(word, this.i) && !/\w/.test(this.text[this.i + word.length] ?? '')) {
        this.i += word.length;
        return value;
      }
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i))?.[0];
    if (number) {
      this.i += number.length;
      return Number(number);
    }
    return this.fail('expected a string, true, false, nil or a number');
  }
}

/** `{}` or `{"name"=>value, ...}` -> an object; a reason (with the character position) otherwise. */
export function parseRubyHash(text: string): { ok: true; value: RubyHash } | { ok: false; reason: string } {
  const r = new Reader(text);
  const value: RubyHash = Object.create(null) as RubyHash;
  try {
    r.expect('{');
    r.skipSpace();
    if (text[r.i] === '}') r.i++;
    else {
      for (;;) {
        const key = r.string();
        r.expect('=>');
        value[key] = r.value();
        r.skipSpace();
        if (text[r.i] === ',') {
          r.i++;
          continue;
        }
        r.expect('}');
        break;
      }
    }
    r.skipSpace();
    if (r.i !== text.length) r.fail('unexpected text after the closing }');
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, value: { ...value } };
}
