// Request bodies → typed values, once, at the boundary: a clear 400 naming the field otherwise.
import { httpError } from './http-error.js';

export function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw httpError(400, 'invalid_json', 'the request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw httpError(400, 'invalid_json', 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

export function optionalString(obj: Record<string, unknown>, field: string): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw httpError(400, 'invalid_field', `"${field}" must be a string`);
  return v;
}

export function requiredString(obj: Record<string, unknown>, field: string): string {
  const v = optionalString(obj, field);
  if (v === undefined || v.trim() === '') throw httpError(400, 'missing_field', `"${field}" is required`);
  return v;
}

export function optionalNumber(obj: Record<string, unknown>, field: string): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw httpError(400, 'invalid_field', `"${field}" must be a number`);
  return v;
}

export function optionalBoolean(obj: Record<string, unknown>, field: string): boolean | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw httpError(400, 'invalid_field', `"${field}" must be true or false`);
  return v;
}

export function optionalDate(obj: Record<string, unknown>, field: string): Date | undefined {
  const v = optionalString(obj, field);
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw httpError(400, 'invalid_field', `"${field}" must be an ISO date`);
  return d;
}

export function optionalStringList(obj: Record<string, unknown>, field: string): string[] | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw httpError(400, 'invalid_field', `"${field}" must be a list of strings`);
  return v as string[];
}
