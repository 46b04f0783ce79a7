// The sync API: CLIs push their events, pull the server's, and ask how far apart they are. Every route
// needs an admin token; a request with a bad, expired or replayed token changes nothing.
import { MAX_PUSH_EVENTS, parseEventList, WireError } from '../../sync/event-wire.js';
import { requireAdmin } from '../admin-auth.js';
import { httpError } from '../http-error.js';
import { parseJsonBody } from '../json-body.js';
import type { RequestContext, Router } from '../router.js';

const MAX_PULL_PAGE = 10_000;

function parsePushBody(body: Buffer): unknown {
  return (parseJsonBody(body, '{"events": [...]}') as { events?: unknown } | null)?.events;
}

/** A non-negative integer query parameter, or the default when absent. */
export function intParam(url: URL, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) > max) throw httpError(400, 'invalid_parameter', `${name} must be a whole number from 0 to ${max}`);
  return Number(raw);
}

async function push(ctx: RequestContext) {
  await requireAdmin(ctx);
  let events;
  try {
    events = parseEventList(parsePushBody(ctx.body), MAX_PUSH_EVENTS);
  } catch (error) {
    if (error instanceof WireError) throw httpError(400, 'invalid_events', error.message);
    throw error;
  }
  const store = ctx.deps.store;
  const result = await store.applyEvents(events);
  ctx.log.info('sync push', { events: events.length, inserted: result.inserted, contested: result.contested.length });
  return { status: 200, json: { inserted: result.inserted, duplicates: result.duplicates, lastSeq: await store.lastSeq(), contested: result.contested } };
}

async function pull(ctx: RequestContext) {
  await requireAdmin(ctx);
  const after = intParam(ctx.url, 'after', 0);
  const limit = Math.max(1, intParam(ctx.url, 'limit', 1_000, MAX_PULL_PAGE));
  const page = await ctx.deps.store.eventsSince(after, limit + 1);
  const more = page.length > limit;
  const events = more ? page.slice(0, limit) : page;
  return { status: 200, json: { events, lastSeq: events.at(-1)?.seq ?? after, more } };
}

async function status(ctx: RequestContext) {
  await requireAdmin(ctx);
  const store = ctx.deps.store;
  const [counts, lastSeq] = await Promise.all([store.counts(), store.lastSeq()]);
  return { status: 200, json: { events: counts.events, lastSeq, licenses: counts.licenses } };
}

export function registerSyncRoutes(router: Router): void {
  router.add('POST', '/sync/push', push);
  router.add('GET', '/sync/pull', pull);
  router.add('GET', '/sync/status', status);
}
