// Events on the wire (push bodies, pull pages): validated at the boundary on both ends, because a
// malformed event would poison the projection on every replica that applies it.
import type { EventType, LedgerEvent } from '../ledger/events.js';

export const MAX_PUSH_EVENTS = 5_000;

const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  'minted', 'imported', 'renewed', 'reissued', 'changed', 'revoked', 'reinstated', 'note_added', 'forgotten', 'mail_queued', 'mail_sent', 'order_contested',
  'activated', 'deactivated', 'activations_reset',
]);
const ORIGIN_STRINGS = ['product', 'name', 'email', 'tier', 'issuedAt', 'blob'] as const;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export class WireError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shortString(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

/** Returns the problem with one event, or null. `where` names it in the message ("events[12]"). */
export function eventProblem(v: unknown, where: string): string | null {
  if (!isRecord(v)) return `${where} is not an object`;
  if (!shortString(v.id, 128)) return `${where}.id must be a non-empty string (at most 128 characters)`;
  if (!shortString(v.licenseKey, 128)) return `${where}.licenseKey must be a non-empty string`;
  if (typeof v.type !== 'string' || !EVENT_TYPES.has(v.type)) return `${where}.type "${String(v.type)}" is not an event type`;
  if (typeof v.at !== 'string' || !ISO_INSTANT.test(v.at) || Number.isNaN(Date.parse(v.at))) return `${where}.at must be an ISO 8601 instant`;
  if (typeof v.actor !== 'string' || typeof v.source !== 'string') return `${where}.actor and .source must be strings`;
  if (!isRecord(v.data)) return `${where}.data must be an object`;
  if (v.type === 'minted' || v.type === 'imported') {
    const missing = ORIGIN_STRINGS.filter((k) => typeof (v.data as Record<string, unknown>)[k] !== 'string');
    if (missing.length) return `${where}.data is missing ${missing.join(', ')} (a ${v.type} event carries the whole license)`;
  }
  if (v.type === 'renewed' || v.type === 'reissued' || v.type === 'changed') {
    if (typeof v.data.blob !== 'string') return `${where}.data.blob must be a string`;
  }
  if (v.type === 'changed') {
    const data = v.data as Record<string, unknown>;
    const bad = (['email', 'name', 'tier'] as const).find((k) => data[k] !== undefined && typeof data[k] !== 'string');
    if (bad) return `${where}.data.${bad} must be a string`;
  }
  if ((v.type === 'activated' || v.type === 'deactivated') && !shortString(v.data.activationId, 128)) return `${where}.data.activationId must be a non-empty string`;
  if (v.type === 'activated' && !shortString(v.data.fingerprintHash, 128)) return `${where}.data.fingerprintHash must be a non-empty string`;
  return null;
}

/** The events of a push body or pull page; throws WireError naming the first bad event. */
export function parseEventList(value: unknown, max: number, where = 'events'): LedgerEvent[] {
  if (!Array.isArray(value)) throw new WireError(`${where} must be an array`);
  if (value.length > max) throw new WireError(`${where} holds ${value.length} events; at most ${max} per request`);
  value.forEach((e, i) => {
    const problem = eventProblem(e, `${where}[${i}]`);
    if (problem) throw new WireError(problem);
  });
  return value.map((e: LedgerEvent) => ({ id: e.id, licenseKey: e.licenseKey, type: e.type, at: e.at, actor: e.actor, source: e.source, data: e.data }));
}

/** One event as JSON, reusing the ledger's stored `data` text as is (no parse/stringify round trip). */
export function eventJsonFromRow(row: { id: string; license_key: string; type: string; at: string; actor: string; source: string; data: string }): string {
  const head = JSON.stringify({ id: row.id, licenseKey: row.license_key, type: row.type, at: row.at, actor: row.actor, source: row.source });
  return `${head.slice(0, -1)},"data":${row.data}}`;
}

/** How many of the next serialized events fit one request: at most maxCount and maxBytes (at least one). */
export function batchSize(sizes: readonly number[], maxCount: number, maxBytes: number): number {
  let bytes = 16; // {"events":[]}
  let n = 0;
  for (const size of sizes) {
    if (n >= maxCount || (n > 0 && bytes + size + 1 > maxBytes)) break;
    bytes += size + 1;
    n++;
  }
  return n;
}
