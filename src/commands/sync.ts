// push, pull, sync (= pull then push): the ledger and the server converge on the same event set.
import type { AppContext } from '../cli/app-context.js';
import { adminKeychain } from '../keys/keychain.js';
import { openRemote } from '../sync/open-remote.js';
import { pullEvents, type PullSummary } from '../sync/pull.js';
import { pushEvents, type PushSummary } from '../sync/push.js';
import type { RemoteClient } from '../sync/remote-client.js';
import type { Ledger } from '../ledger/ledger.js';
import type { OrderContest } from '../ledger/order-claims.js';
import { safeText } from '../cli/terminal-text.js';

async function connect(app: AppContext): Promise<{ ledger: Ledger; client: RemoteClient }> {
  const ledger = await app.ledger();
  const client = await openRemote({ config: app.config(), ledger, env: app.env, clock: app.clock, keychain: adminKeychain }, 'sync');
  return { ledger, client };
}

function batchBytes(app: AppContext): number | undefined {
  const raw = app.env.LICENSE_ADMIN_SYNC_BATCH_BYTES;
  return raw && Number(raw) > 0 ? Number(raw) : undefined;
}

async function runPush(app: AppContext, ledger: Ledger, client: RemoteClient): Promise<PushSummary> {
  const maxBytes = batchBytes(app);
  const summary = await pushEvents(ledger, client, {
    clock: app.clock,
    ...(maxBytes ? { maxBytes } : {}),
    onProgress: (sent, total) => app.out.progress(`pushing ${progressBar(sent, total)} ${sent}/${total} events`),
  });
  app.out.progressDone();
  return summary;
}

async function runPull(app: AppContext, ledger: Ledger, client: RemoteClient): Promise<PullSummary> {
  const summary = await pullEvents(ledger, client, { clock: app.clock, onProgress: (n) => app.out.progress(`pulling: ${n} events`) });
  app.out.progressDone();
  return summary;
}

export function progressBar(done: number, total: number, width = 24): string {
  const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : width;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

const describePush = (s: PushSummary): string =>
  s.sent === 0 ? 'Push: nothing to send; the server has every local event.' : `Push: sent ${s.sent} events in ${s.batches} batch(es): ${s.inserted} new on the server, ${s.duplicates} already there.`;
const describePull = (s: PullSummary): string =>
  s.received === 0 ? 'Pull: nothing new on the server.' : `Pull: received ${s.received} events: ${s.inserted} new here, ${s.duplicates} already here.`;

/** Both sides may notice the same contest (pull here, push on the server): each is reported once. */
export function uniqueContests(...lists: OrderContest[][]): OrderContest[] {
  const seen = new Map<string, OrderContest>();
  for (const c of lists.flat()) seen.set(`${c.keptBy}\0${c.droppedBy}`.toUpperCase(), c);
  return [...seen.values()];
}

function reportContests(app: AppContext, contests: OrderContest[]): void {
  for (const c of contests) {
    const orders = c.orderIds.map(safeText).join(', ');
    app.out.warn(`order ${orders} has two licenses (minted apart, e.g. break-glass here and on the server): ${safeText(c.keptBy)} keeps the order id (minted first); `
      + `${safeText(c.droppedBy)} stays valid but no longer claims it. Both histories say so. If the buyer should have one license: license-admin revoke ${safeText(c.droppedBy)} --reason "duplicate of ${safeText(c.keptBy)}"`);
  }
}

export async function pushCommand(app: AppContext): Promise<void> {
  const { ledger, client } = await connect(app);
  const push = await runPush(app, ledger, client);
  if (app.json) return app.out.json({ url: client.url, ...push });
  app.out.info(describePush(push));
  reportContests(app, uniqueContests(push.contested));
}

export async function pullCommand(app: AppContext): Promise<void> {
  const { ledger, client } = await connect(app);
  const pull = await runPull(app, ledger, client);
  if (app.json) return app.out.json({ url: client.url, ...pull });
  app.out.info(describePull(pull));
  reportContests(app, uniqueContests(pull.contested));
}

export async function syncCommand(app: AppContext): Promise<void> {
  const { ledger, client } = await connect(app);
  const pull = await runPull(app, ledger, client);
  const push = await runPush(app, ledger, client);
  const contested = uniqueContests(pull.contested, push.contested);
  if (app.json) return app.out.json({ url: client.url, pull, push, contested });
  app.out.info(describePull(pull));
  app.out.info(describePush(push));
  reportContests(app, contested);
}
