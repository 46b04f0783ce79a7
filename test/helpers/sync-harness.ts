// Drives the real sync routes (src/server/routes/sync.ts, with real admin-token auth) and a real server
// store without a socket: the RemoteClient the sync client uses, calling the route handlers in-process.
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { signAdminToken, ADMIN_AUTH_SCHEME } from '../../src/auth/admin-token.js';
import { signingKeyFromSeed, type SigningKey } from '../../src/license/ed25519-key.js';
import { HttpError } from '../../src/server/http-error.js';
import { createLogger } from '../../src/server/logger.js';
import { Router } from '../../src/server/router.js';
import { registerSyncRoutes } from '../../src/server/routes/sync.js';
import type { ServerDeps } from '../../src/server/deps.js';
import type { ServerStore } from '../../src/stores/store.js';
import { RemoteRejectedError, RemoteUnavailableError, type RemoteClient } from '../../src/sync/remote-client.js';

export interface Harness {
  client: RemoteClient;
  adminKey: SigningKey;
  /** Fail the next n requests after the server handled them (the answer is lost on the way back). */
  loseAnswers(n: number): void;
  requests: number;
}

export function syncHarness(store: ServerStore, url = 'https://sync.test'): Harness {
  const adminKey = signingKeyFromSeed(randomBytes(32));
  const router = new Router();
  registerSyncRoutes(router);
  const deps = {
    store,
    env: { LICENSE_ADMIN_ADMIN_KEYS: adminKey.publicJwk.x },
    clock: () => new Date(),
    log: createLogger({ write: () => undefined }),
  } as unknown as ServerDeps;
  let lose = 0;
  const harness: Harness = {
    adminKey,
    requests: 0,
    loseAnswers: (n) => void (lose = n),
    client: {
      url,
      async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
        harness.requests++;
        const target = new URL(url + path);
        const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
        const token = signAdminToken({ method, path: target.pathname + target.search, body: text }, adminKey, new Date());
        const req = { method, headers: { authorization: `${ADMIN_AUTH_SCHEME} ${token}` } } as unknown as IncomingMessage;
        const match = router.match(method, target.pathname);
        if (!match || !('handler' in match)) throw new Error(`no route ${method} ${target.pathname}`);
        try {
          const res = await match.handler({ req, url: target, body: Buffer.from(text), requestId: 'test', deps, log: deps.log });
          if (lose > 0) {
            lose--;
            throw new RemoteUnavailableError('connection reset (simulated)', true);
          }
          return JSON.parse(JSON.stringify(res.json)) as T;
        } catch (error) {
          if (error instanceof HttpError) throw new RemoteRejectedError(error.message, error.status, error.code);
          throw error;
        }
      },
    },
  };
  return harness;
}
