// The payment-event audit trail, and putting failed sales back in the queue once the cause is fixed
// (e.g. a product that had no tier mapping). Works on the server's store: the SQLite ledger or DATABASE_URL.
import type { AppContext } from '../cli/app-context.js';
import { table } from '../cli/render.js';
import { fitRows, terminalColumns } from '../cli/table-fit.js';
import { openStore } from '../server/open-store.js';
import type { StoredPaymentEvent } from '../stores/store.js';

export interface ServerEventsFlags {
  failed?: boolean;
  order?: string;
  limit?: string;
  databaseUrl?: string;
}

export async function serverEventsCommand(flags: ServerEventsFlags, app: AppContext): Promise<void> {
  const store = await openStore({ databaseUrl: flags.databaseUrl, ledgerFile: app.paths.ledgerFile, random: app.random });
  try {
    const all = await store.listPaymentEvents({ ...(flags.order ? { orderRef: flags.order } : {}), limit: Number(flags.limit ?? 100) });
    // --failed: given up or failed for good, and orders still backing off after a failed attempt.
    const events = flags.failed ? all.filter((e) => e.error !== null) : all;
    // The audit view never shows raw payloads (they hold buyers' names and emails).
    const rows = events.map(({ normalized: _n, ...e }) => e);
    if (app.json) return app.out.json(rows);
    if (rows.length === 0) return app.out.info(flags.failed ? 'No failed payment events.' : 'No payment events.');
    const head = ['Id', 'Received', 'Provider', 'Type', 'Order', 'Attempts', 'Status'];
    const cells = rows.map((e) => [String(e.id), e.receivedAt.slice(0, 19), e.provider, e.eventType, e.orderRef ?? '-', String(e.attempts), status(e)]);
    app.out.data(table(head, fitRows(head, cells, terminalColumns(), [0, 1, 2, 5])));
  } finally {
    await store.close();
  }
}

/** done, failed (with why), retrying (the last attempt's error and the next try), or pending. */
function status(e: Omit<StoredPaymentEvent, 'normalized'>): string {
  if (e.processed) return e.error ? `failed: ${e.error}` : 'done';
  if (e.attempts > 0) return `retrying at ${e.nextAttemptAt?.slice(0, 19).replace('T', ' ') ?? 'the next poll'} after: ${e.error ?? 'an error'}`;
  return 'pending';
}

export async function serverRetryCommand(flags: { order?: string; databaseUrl?: string }, app: AppContext): Promise<void> {
  const store = await openStore({ databaseUrl: flags.databaseUrl, ledgerFile: app.paths.ledgerFile, random: app.random });
  try {
    const requeued = await store.retryFailedPaymentEvents(flags.order);
    if (app.json) return app.out.json({ requeued });
    if (requeued === 0) return app.out.info('Nothing to retry.');
    // The running server retries with the config it has loaded, not necessarily the file as it is now.
    app.out.info(
      `Put ${requeued} failed payment event(s) back in the queue; a running server tries them within its poll interval, ` +
        'with the config it has loaded. If you changed config.json since it started, reload it first: kill -HUP <pid of serve> ' +
        '(serve --json prints it), then retry again. Changed environment variables (LICENSE_ADMIN_DEFAULT_TIER, secrets) need a restart of serve.',
    );
  } finally {
    await store.close();
  }
}
