// Structured JSON logs, one line per entry. Callers pass only safe fields (ids, codes, counts, timings):
// never emails, names, blobs, tokens, secrets or raw payloads. `redactFields` is the last line of defence.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const FORBIDDEN = /email|name|blob|token|secret|password|payload|authorization|key$/i;

/** Drops any field whose name suggests personal data or a secret (licenseKey is allowed: it is an id). */
export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out[k] = FORBIDDEN.test(k) && k !== 'licenseKey' && k !== 'idempotencyKey' ? '[redacted]' : v;
  }
  return out;
}

export function createLogger(options: { write?: (line: string) => void; level?: LogLevel; clock?: () => Date; base?: LogFields } = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const min = ORDER[options.level ?? 'info'];
  const clock = options.clock ?? (() => new Date());
  const base = options.base ?? {};
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (ORDER[level] < min) return;
    write(`${JSON.stringify({ time: clock().toISOString(), level, msg, ...redactFields({ ...base, ...fields }) })}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** For tests and benchmarks that don't want log output. */
export const silentLogger: Logger = createLogger({ write: () => undefined });
