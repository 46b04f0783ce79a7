// GET /health: 200 when the database answers, 503 when it doesn't (load balancers drop the replica).
import type { Router } from '../router.js';

export function registerHealthRoutes(router: Router): void {
  router.add('GET', '/health', async ({ deps, log }) => {
    try {
      await deps.store.health();
      return { status: 200, json: { status: 'ok', database: deps.store.kind } };
    } catch (error) {
      log.error('health check failed', { error: (error as Error).message });
      return { status: 503, json: { status: 'unavailable', database: deps.store.kind } };
    }
  });
}
