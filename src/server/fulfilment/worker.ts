// Background task: orders with stored, unprocessed payment events are fulfilled one order at a time
// (an order lock across replicas), a few orders in parallel.
import type { BackgroundTask } from '../background.js';
import type { ServerDeps } from '../deps.js';
import { processOrder } from './process-order.js';

const BATCH = 32;

export function createFulfilmentTask(deps: ServerDeps): BackgroundTask {
  const parallel = deps.store.kind === 'postgres' ? 4 : 1;
  return {
    name: 'fulfilment',
    async run() {
      const orders = await deps.store.pendingOrders(BATCH);
      let next = 0;
      let queuedMail = false;
      const worker = async () => {
        while (next < orders.length) {
          const orderRef = orders[next++]!;
          try {
            const outcome = await processOrder(orderRef, deps);
            queuedMail ||= outcome.mailQueued;
          } catch (error) {
            // Left unprocessed: the next pass (or another replica) tries again.
            deps.log.error('fulfilment failed; will retry', { orderRef, error: (error as Error).message });
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, orders.length) }, worker));
      return orders.length === BATCH || queuedMail;
    },
  };
}
