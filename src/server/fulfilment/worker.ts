// Background task: orders with stored, unprocessed payment events are fulfilled one order at a time
// (an order lock across replicas), a few orders in parallel. An order whose processing throws backs off
// on its own (record-failure.ts) and never holds up the others; the same error is logged once a minute.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BackgroundTask } from '../background.js';
import type { ServerDeps } from '../deps.js';
import { createRepeatLimiter } from '../repeat-limiter.js';
import { StoreBusyError } from '../../stores/store.js';
import { processOrder } from './process-order.js';
import { recordFailedAttempt } from './record-failure.js';

const BATCH = 32;

export function createFulfilmentTask(deps: ServerDeps): BackgroundTask {
  const parallel = deps.store.kind === 'postgres' ? 4 : 1;
  const repeats = createRepeatLimiter(60_000);
  const logFailure = (msg: string, error: string, fields: Record<string, string | number | null>) => {
    const { log, repeated } = repeats(`${msg}:${error}`);
    if (log) deps.log.error(msg, { ...fields, error, ...(repeated ? { repeatedForOtherAttempts: repeated } : {}) });
  };
  return {
    name: 'fulfilment',
    async run() {
      const orders = await deps.store.pendingOrders(BATCH, deps.clock());
      let next = 0;
      let queuedMail = false;
      let busy = false;
      const worker = async () => {
        while (next < orders.length && !busy) {
          const orderRef = orders[next++]!;
          try {
            const outcome = await processOrder(orderRef, deps);
            queuedMail ||= outcome.mailQueued;
          } catch (error) {
            // Another process holds the SQLite ledger (a big CLI import): not this order's fault, and not an
            // attempt. Stop this pass; the loop comes back after its interval.
            if (error instanceof StoreBusyError) {
              busy = true;
              break;
            }
            try {
              const failure = await recordFailedAttempt(orderRef, error, deps);
              logFailure(failure.retryAt ? 'fulfilment failed; will retry' : 'fulfilment failed; gave up', failure.error.replace(/^gave up after \d+ attempts: /, ''), {
                orderRef, attempts: failure.attempts, retryAt: failure.retryAt?.toISOString() ?? null,
              });
            } catch (recordError) {
              // Left as it was: the next pass (or another replica) tries again.
              logFailure('fulfilment failed; could not record the attempt', (recordError as Error).message, { orderRef });
            }
          }
          // Requests (and SIGTERM) get a turn between orders, whatever the store.
          await nextTurn();
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, orders.length) }, worker));
      return !busy && (orders.length === BATCH || queuedMail);
    },
  };
}
