// The compatible APIs' request bodies as their providers take them: form-encoded (what their docs show),
// JSON, or JSON:API (`application/vnd.api+json`, flat or under data.attributes). Fields come back as they
// were sent (strings from a form; any JSON type otherwise) for the route to check.
import { createHash } from 'node:crypto';
import { httpError } from '../http-error.js';
import { parseJsonBody } from '../json-body.js';

export function compatFields(body: Buffer, contentType: string | undefined, query?: URLSearchParams): Record<string, unknown> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const fields: Record<string, unknown> = {};
  if (query) for (const [k, v] of query) fields[k] = v;
  if (body.length === 0) return fields;
  if (type === 'application/json' || type === 'application/vnd.api+json') {
    const value = parseJsonBody(body, 'a JSON object');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw httpError(400, 'invalid_json', 'the request body must be a JSON object');
    const v = value as Record<string, unknown>;
    const data = v.data as Record<string, unknown> | undefined;
    const attributes = data && typeof data === 'object' && typeof data.attributes === 'object' && data.attributes !== null ? (data.attributes as Record<string, unknown>) : null;
    return { ...fields, ...(attributes ?? v) };
  }
  // Form-encoded is the documented default, so a missing content type reads as a form.
  if (type === '' || type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) fields[k] = v;
    return fields;
  }
  throw httpError(415, 'unsupported_content_type', 'send application/x-www-form-urlencoded, application/json or application/vnd.api+json');
}

/** A small stable number for an id the provider's API has as an integer (license, order, customer ids). */
export function numericId(text: string): number {
  return Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16);
}
