// Background task: send what the outbox holds (the mail module does the claiming and the SMTP).
import type { BackgroundTask } from './background.js';
import type { ServerDeps } from './deps.js';

export function createOutboxTask(deps: ServerDeps): BackgroundTask {
  return {
    name: 'outbox',
    async run() {
      if (!deps.mail) return false;
      const handled = await deps.mail.deliverDue(deps.store.outbox, deps.clock());
      return handled > 0;
    },
  };
}
