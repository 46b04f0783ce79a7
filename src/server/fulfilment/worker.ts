// Background task: turn stored payment events into licenses (filled in with the webhook routes).
import type { BackgroundTask } from '../background.js';
import type { ServerDeps } from '../deps.js';

export function createFulfilmentTask(_deps: ServerDeps): BackgroundTask {
  return { name: 'fulfilment', run: async () => false };
}
