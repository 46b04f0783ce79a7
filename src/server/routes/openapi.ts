// GET /openapi.json: the online license API's OpenAPI document (src/server/openapi.ts).
import { OPENAPI } from '../openapi.js';
import type { Router } from '../router.js';

export function registerOpenApiRoutes(router: Router): void {
  router.add('GET', '/openapi.json', async () => ({ status: 200, json: OPENAPI }));
}
