// GET /health: 200 when the database answers, 503 when it doesn't (load balancers drop the replica).
import type { Router } from '../router.js';

export function registerHealthRoutes(router: Router): void {
  // A probe that arrives while a check is in flight waits for that check instead of starting its own: a
  // burst of probes costs one database round trip, and every answer comes from a check that ended after
  // the probe arrived (a failure is never remembered).
  let inFlight: Promise<void> | null = null;
  const check = (store: { health(): Promise<void> }) =>
    (inFlight ??= store.health().finally(() => {
      inFlight = null;
    }));
  router.add('GET', '/health', async ({ deps, log }) => {
    try {
      await check(deps.store);
      return { status: 200, json: { status: 'ok', database: deps.store.kind } };
    } catch (error) {
      log.error('health check failed', { error: (error as Error).message });
      return { status: 503, json: { status: 'unavailable', database: deps.store.kind } };
    }
  });
}
