// push: local events the server has not acknowledged, in batches. The cursor moves only after the server
// acknowledges a batch, so a dropped connection resumes where it stopped; the server inserts events by id
// if new, so a batch sent twice is harmless.
import type { Ledger } from '../ledger/ledger.js';
import type { OrderContest } from '../ledger/order-claims.js';
import { batchSize, eventJsonFromRow, MAX_PUSH_EVENTS } from './event-wire.js';
import { RemoteRejectedError, type RemoteClient } from './remote-client.js';
import { advancePushCursor, countEventsAfter, getRemote } from './sync-state.js';

export interface PushOptions {
  maxEvents?: number;
  /** The server limits request bodies; batches stay under this many bytes. */
  maxBytes?: number;
  clock: () => Date;
  onProgress?: (sent: number, total: number) => void;
}

export interface PushSummary {
  /** Events sent (a resumed batch counts again). */
  sent: number;
  inserted: number;
  duplicates: number;
  batches: number;
  /** The last local seq the server has acknowledged. */
  pushCursor: number;
  serverLastSeq: number | null;
  /** Order contests the server noticed while applying our events (see docs/SYNC.md). */
  contested: OrderContest[];
}

interface PushResponse {
  inserted: number;
  duplicates: number;
  lastSeq: number;
  contested?: unknown;
}

interface RawEventRow {
  seq: number;
  id: string;
  license_key: string;
  type: string;
  at: string;
  actor: string;
  source: string;
  data: string;
}

/** Under the server's default 1 MiB body limit; a 413 halves it for the rest of the push. */
export const DEFAULT_PUSH_BYTES = 960 * 1024;

export async function pushEvents(ledger: Ledger, client: RemoteClient, options: PushOptions): Promise<PushSummary> {
  const maxEvents = Math.min(options.maxEvents ?? MAX_PUSH_EVENTS, MAX_PUSH_EVENTS);
  let maxBytes = options.maxBytes ?? DEFAULT_PUSH_BYTES;
  const state = getRemote(ledger, client.url);
  if (!state) throw new Error(`no sync state for ${client.url}`);
  const read = ledger.db.prepare('SELECT seq, id, license_key, type, at, actor, source, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
  const total = countEventsAfter(ledger, state.pushCursor);
  const summary: PushSummary = { sent: 0, inserted: 0, duplicates: 0, batches: 0, pushCursor: state.pushCursor, serverLastSeq: null, contested: [] };
  let pending: { seq: number; json: string }[] = [];
  for (;;) {
    if (pending.length < maxEvents) {
      const after = pending.at(-1)?.seq ?? summary.pushCursor;
      const rows = read.all(after, maxEvents * 2) as RawEventRow[];
      pending = pending.concat(rows.map((r) => ({ seq: r.seq, json: eventJsonFromRow(r) })));
    }
    if (pending.length === 0) break;
    const n = batchSize(pending.map((p) => Buffer.byteLength(p.json)), maxEvents, maxBytes);
    const batch = pending.slice(0, n);
    const body = `{"events":[${batch.map((b) => b.json).join(',')}]}`;
    let ack: PushResponse;
    try {
      ack = await client.request<PushResponse>('POST', '/sync/push', body);
    } catch (error) {
      if (error instanceof RemoteRejectedError && error.status === 413 && batch.length > 1) {
        maxBytes = Math.max(1024, Math.floor(Buffer.byteLength(body) / 2));
        continue;
      }
      throw error;
    }
    pending = pending.slice(n);
    const lastSeq = batch.at(-1)!.seq;
    advancePushCursor(ledger, client.url, lastSeq, options.clock());
    summary.pushCursor = lastSeq;
    summary.sent += batch.length;
    summary.inserted += ack.inserted;
    summary.duplicates += ack.duplicates;
    summary.serverLastSeq = ack.lastSeq;
    summary.contested.push(...parseContests(ack.contested));
    summary.batches++;
    options.onProgress?.(summary.sent, total);
  }
  return summary;
}

/** What the server says it noticed; an older server says nothing. Checked, since it is printed. */
function parseContests(value: unknown): OrderContest[] {
  if (!Array.isArray(value)) return [];
  const text = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 256;
  return value.filter((c): c is OrderContest =>
    typeof c === 'object' && c !== null && text(c.keptBy) && text(c.droppedBy) && text(c.at) && Array.isArray(c.orderIds) && c.orderIds.every(text));
}
