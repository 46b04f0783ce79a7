// Request bodies → typed values, once, at the boundary: a clear 400 naming the field otherwise.
import { checkIsoDate } from './date-window.js';
import { httpError } from './http-error.js';

/** Admin and sync bodies are a few levels deep; far deeper would only exhaust the stack when re-serialised. */
export const MAX_JSON_DEPTH = 32;
/** The default cap on one string field (names, notes, ids): the body limit alone allows a megabyte. */
export const MAX_FIELD_LENGTH = 2_000;

/** JSON.parse plus a nesting bound; throws 400 invalid_json. */
export function parseJsonBody(body: Buffer, expected = 'a JSON document'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw httpError(400, 'invalid_json', `the request body is not JSON; send ${expected}`);
  }
  if (depthOf(value) > MAX_JSON_DEPTH) throw httpError(400, 'invalid_json', `the request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  return value;
}

export function parseJsonObject(body: Buffer): Record<string, unknown> {
  const value = parseJsonBody(body, 'a JSON object');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw httpError(400, 'invalid_json', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Deepest nesting of objects and arrays, measured without recursion (stops counting past the bound). */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return deepest;
}

export function optionalString(obj: Record<string, unknown>, field: string, maxLength = MAX_FIELD_LENGTH): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw httpError(400, 'invalid_field', `"${field}" must be a string`);
  if (v.length > maxLength) throw httpError(400, 'invalid_field', `"${field}" is longer than ${maxLength} characters`);
  return v;
}

export function requiredString(obj: Record<string, unknown>, field: string, maxLength = MAX_FIELD_LENGTH): string {
  const v = optionalString(obj, field, maxLength);
  if (v === undefined || v.trim() === '') throw httpError(400, 'missing_field', `"${field}" is required`);
  return v;
}

export function optionalNumber(obj: Record<string, unknown>, field: string): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw httpError(400, 'invalid_field', `"${field}" must be a number`);
  return v;
}

/** A whole number in [min, max]. */
export function optionalInteger(obj: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const v = optionalNumber(obj, field);
  if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) throw httpError(400, 'invalid_field', `"${field}" must be a whole number from ${min} to ${max}`);
  return v;
}

export function optionalBoolean(obj: Record<string, unknown>, field: string): boolean | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw httpError(400, 'invalid_field', `"${field}" must be true or false`);
  return v;
}

/** An ISO-8601 date inside the accepted window (src/server/date-window.ts). */
export function optionalDate(obj: Record<string, unknown>, field: string): Date | undefined {
  const v = optionalString(obj, field, 64);
  if (v === undefined) return undefined;
  const checked = checkIsoDate(v);
  if (!checked.ok) throw httpError(400, 'invalid_field', `"${field}" ${checked.problem}`);
  return new Date(checked.ms);
}

export function optionalStringList(obj: Record<string, unknown>, field: string, maxItems = 100, maxLength = 200): string[] | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw httpError(400, 'invalid_field', `"${field}" must be a list of strings`);
  if (v.length > maxItems || v.some((x: string) => x.length > maxLength)) throw httpError(400, 'invalid_field', `"${field}" may hold at most ${maxItems} strings of at most ${maxLength} characters`);
  return v as string[];
}
