// Gumroad pings are flat form posts ("variants[Tier]=Pro", "purchase_ids[]=a"). JSON pings (from a relay or
// a test tool) are flattened into the same bracketed names, so one reader serves both.

export type PingFields = Map<string, string[]>;

export function parseFormFields(body: string): PingFields {
  const fields: PingFields = new Map();
  for (const [k, v] of new URLSearchParams(body)) push(fields, k, v);
  return fields;
}

export function flattenJsonFields(value: unknown): PingFields | null {
  if (!isPlainObject(value)) return null;
  const fields: PingFields = new Map();
  for (const [k, v] of Object.entries(value)) flattenInto(fields, k, v);
  return fields;
}

function flattenInto(fields: PingFields, key: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) for (const item of value) flattenInto(fields, `${key}[]`, item);
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) flattenInto(fields, `${key}[${k}]`, v);
  else push(fields, key, String(value));
}

function push(fields: PingFields, key: string, value: string): void {
  const list = fields.get(key);
  if (list) list.push(value);
  else fields.set(key, [value]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first non-empty value of the first field present. */
export function field(fields: PingFields, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = fields.get(name)?.find((v) => v.trim() !== '');
    if (value !== undefined) return value.trim();
  }
  return undefined;
}

export function flag(fields: PingFields, name: string): boolean {
  return field(fields, name)?.toLowerCase() === 'true';
}

/** "Pro" from variants[Tier]=Pro; several categories join as "Pro, Blue". A bare `variants` string is kept. */
export function variantName(fields: PingFields): string | undefined {
  const values: string[] = [];
  for (const [key, list] of fields) if (key.startsWith('variants[')) values.push(...list.filter((v) => v.trim() !== ''));
  if (values.length) return values.join(', ');
  return field(fields, 'variants');
}

/** "pencil" from "https://sahil.gumroad.com/l/pencil" or from "pencil". */
export function shortPermalink(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let path = value;
  if (/^https?:\/\//i.test(value)) {
    try {
      path = new URL(value).pathname;
    } catch {
      return undefined;
    }
  }
  return path.split('/').filter(Boolean).pop();
}

const RECURRENCE_MONTHS: Record<string, number> = {
  monthly: 1, quarterly: 3, biannually: 6, yearly: 12, every_two_years: 24, every_three_years: 36,
};

/** End of the period a subscription charge pays for (Gumroad sends the recurrence, not the date). */
export function periodEndFor(chargedAt: string, recurrence: string | undefined): string | undefined {
  const months = recurrence ? RECURRENCE_MONTHS[recurrence] : undefined;
  if (!months) return undefined;
  const d = new Date(chargedAt);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.toISOString();
}
