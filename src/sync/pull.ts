// pull: the server's events after our pull cursor, page by page, each page applied in one local
// transaction together with the cursor, so an interrupted pull resumes without gaps or double work.
import type { ApplyResult, Ledger } from '../ledger/ledger.js';
import type { LedgerEvent } from '../ledger/events.js';
import type { OrderContest } from '../ledger/order-claims.js';
import { parseEventList } from './event-wire.js';
import type { RemoteClient } from './remote-client.js';
import { advancePullCursor, advancePushCursor, getRemote, lastLocalSeq } from './sync-state.js';
import { UserError } from '../errors.js';

export const DEFAULT_PULL_PAGE = 5_000;

export interface PullOptions {
  pageSize?: number;
  clock: () => Date;
  onProgress?: (received: number) => void;
}

export interface PullSummary {
  received: number;
  inserted: number;
  duplicates: number;
  pages: number;
  pullCursor: number;
  /** Order contests that the pulled events revealed here (see docs/SYNC.md). */
  contested: OrderContest[];
}

interface PullPage {
  events: unknown;
  lastSeq: number;
  more: boolean;
}

export async function pullEvents(ledger: Ledger, client: RemoteClient, options: PullOptions): Promise<PullSummary> {
  const pageSize = options.pageSize ?? DEFAULT_PULL_PAGE;
  const state = getRemote(ledger, client.url);
  if (!state) throw new Error(`no sync state for ${client.url}`);
  const summary: PullSummary = { received: 0, inserted: 0, duplicates: 0, pages: 0, pullCursor: state.pullCursor, contested: [] };
  for (;;) {
    const page = await client.request<PullPage>('GET', `/sync/pull?after=${summary.pullCursor}&limit=${pageSize}`);
    let events;
    try {
      events = parseEventList(page.events, pageSize, 'pull page events');
    } catch (error) {
      throw new UserError(`the server sent a malformed pull page after seq ${summary.pullCursor}: ${(error as Error).message}`);
    }
    if (!Number.isInteger(page.lastSeq) || page.lastSeq < summary.pullCursor) throw new UserError(`the server's pull cursor went backwards (${page.lastSeq} < ${summary.pullCursor})`);
    const result = applyServerEvents(ledger, client.url, events, page.lastSeq, options.clock);
    summary.pullCursor = page.lastSeq;
    summary.received += events.length;
    summary.inserted += result.inserted;
    summary.duplicates += result.duplicates;
    summary.contested.push(...result.contested);
    summary.pages++;
    options.onProgress?.(summary.received);
    if (!page.more || events.length === 0) break;
  }
  return summary;
}

/** Applies events that came from the server (a pull page, a remote mint's events) in one transaction. */
export function applyServerEvents(ledger: Ledger, url: string, events: readonly LedgerEvent[], pullCursor: number | null, clock: () => Date): ApplyResult {
  return ledger.transaction(() => {
    // Nothing of ours waiting to be pushed: what we insert now came from the server, so there is no
    // need to send it back. Otherwise it goes back with the next push and comes out as duplicates.
    const caughtUp = (getRemote(ledger, url)?.pushCursor ?? 0) >= lastLocalSeq(ledger);
    const applied = ledger.applyEventsInTransaction(events);
    if (pullCursor !== null) advancePullCursor(ledger, url, pullCursor, clock());
    if (caughtUp) advancePushCursor(ledger, url, lastLocalSeq(ledger), clock());
    return applied;
  });
}
