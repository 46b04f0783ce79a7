// Gumroad pings are flat form posts ("variants[Tier]=Pro", "purchase_ids[]=a"). JSON pings (endpoints set to
// JSON, e.g. Zapier's) are flattened into the same bracketed names, so one reader serves both. How Gumroad
// builds and encodes them: app/modules/purchase/ping_notification.rb and app/sidekiq/post_to_*ping_endpoint*_worker.rb
// in antiwork/gumroad (see fixtures/webhooks/gumroad/README.md).

export type PingFields = Map<string, string[]>;

/** The deepest a real ping nests is 3 (subscription_updated's new_plan[tier][name]); far deeper is refused. */
export const MAX_PING_DEPTH = 8;

export class PingTooDeepError extends Error {
  constructor() {
    super(`the JSON ping is nested deeper than ${MAX_PING_DEPTH} levels`);
    this.name = 'PingTooDeepError';
  }
}

export function parseFormFields(body: string): PingFields {
  const fields: PingFields = new Map();
  for (const [k, v] of new URLSearchParams(body)) push(fields, k, v);
  return fields;
}

/** Flattens a JSON ping; null when it is not an object. Throws PingTooDeepError past MAX_PING_DEPTH. */
export function flattenJsonFields(value: unknown): PingFields | null {
  if (!isPlainObject(value)) return null;
  const fields: PingFields = new Map();
  // Iterative with a depth bound, so no payload can exhaust the stack.
  const stack = Object.entries(value).reverse().map(([k, v]) => ({ key: keyPart(k), value: v as unknown, depth: 1 }));
  while (stack.length) {
    const { key, value: v, depth } = stack.pop()!;
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object') {
      push(fields, key, String(v));
      continue;
    }
    if (depth >= MAX_PING_DEPTH) throw new PingTooDeepError();
    const children = Array.isArray(v)
      ? v.map((item: unknown) => ({ key: `${key}[]`, value: item }))
      : Object.entries(v).map(([k, c]) => ({ key: `${key}[${keyPart(k)}]`, value: c as unknown }));
    for (let i = children.length - 1; i >= 0; i--) stack.push({ ...children[i]!, depth: depth + 1 });
  }
  return fields;
}

// Gumroad's form encoder escapes brackets inside a key (encode_brackets), so a custom field named
// "variants[Tier]" arrives as "variants%5BTier%5D" and cannot pose as the variants hash. JSON keys get the same.
function keyPart(key: string): string {
  return key.replace(/[[\]]/g, (c) => encodeURIComponent(c));
}

/**
 * Gumroad posts each custom field twice: inside `custom_fields[...]` and as a top-level key of its own name.
 * A custom field named like a ping field ("email", "sale_id", "is_recurring_charge", ...) then either sits
 * beside the real value (test pings) or, once the worker stringifies the keys, replaces it in place. One copy
 * of the custom value is dropped from such a field; when that leaves nothing, the real value is unknown and
 * the field counts as absent, rather than trusting what the buyer typed into the checkout form.
 */
export function withoutCustomFieldShadows(fields: PingFields): PingFields {
  const out: PingFields = new Map(fields);
  for (const [key, customValues] of fields) {
    const name = /^custom_fields\[([^[\]]*)\]$/.exec(key)?.[1];
    const values = name === undefined ? undefined : out.get(name);
    if (name === undefined || !values) continue;
    const remaining = [...values];
    for (const custom of customValues) {
      const at = remaining.lastIndexOf(custom);
      if (at !== -1) remaining.splice(at, 1);
    }
    if (remaining.length) out.set(name, remaining);
    else out.delete(name);
  }
  return out;
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
