// The backup format: the ledger's events as JSONL, after one header line. Events keep their ids, so
// importing a backup (into a fresh home or the same one) and syncing with a server that has the same
// events changes nothing: same ids, same rows, same updatedAt. docs/BACKUP.md describes it.
export const EVENTS_FORMAT = 'license-admin-events';
export const EVENTS_FORMAT_VERSION = 1;

export interface EventsHeader {
  format: typeof EVENTS_FORMAT;
  version: number;
  exportedAt: string;
  product: string | null;
  events: number;
  licenses: number;
}

export function eventsHeader(h: Omit<EventsHeader, 'format' | 'version'>): EventsHeader {
  return { format: EVENTS_FORMAT, version: EVENTS_FORMAT_VERSION, ...h };
}

/** Null when the value is no events header; a reason when it is one this version cannot read. */
export function headerProblem(value: unknown): string | null {
  const h = value as Partial<EventsHeader> | null;
  if (typeof h !== 'object' || h === null || h.format !== EVENTS_FORMAT) return `the first line is not a ${EVENTS_FORMAT} header`;
  if (!Number.isInteger(h.version) || (h.version as number) < 1) return `the header's "version" must be a whole number, got ${JSON.stringify(h.version)}`;
  if ((h.version as number) > EVENTS_FORMAT_VERSION) {
    return `written by a newer license-admin (events format ${h.version}, this version reads ${EVENTS_FORMAT_VERSION}); upgrade license-admin`;
  }
  return null;
}

/** Cheap check of a file's first line, for format detection. */
export function looksLikeEventsHeader(firstLine: string): boolean {
  try {
    return (JSON.parse(firstLine) as { format?: unknown } | null)?.format === EVENTS_FORMAT;
  } catch {
    return false;
  }
}
