// createApp(deps): the whole server without a listening socket. `serve` puts `handler` (or the public /
// admin halves) on node:http; tests call it through a real socket or drive the routes directly.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BackgroundLoop } from './background.js';
import type { ServerDeps, ServerInput } from './deps.js';
import { publicUrlHolder, withServerDefaults } from './deps-defaults.js';
import { createFulfilmentTask } from './fulfilment/worker.js';
import { errorBody, HttpError } from './http-error.js';
import { createOutboxTask } from './outbox-task.js';
import { DEFAULT_MAX_BODY_BYTES, readBody } from './read-body.js';
import { Router, type RouteResponse } from './router.js';
import { StoreBusyError } from '../stores/store.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerJwksRoutes } from './routes/jwks.js';
import { registerGumroadLicenseRoutes } from './routes/gumroad-licenses.js';
import { registerLemonSqueezyLicenseRoutes } from './routes/lemonsqueezy-licenses.js';
import { registerLicenseRoutes } from './routes/licenses.js';
import { registerOpenApiRoutes } from './routes/openapi.js';
import { registerRevocationRoutes } from './routes/revocations.js';
import { registerSyncRoutes } from './routes/sync.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import { registerPortalRoutes } from './routes/portal.js';
import { createReminderTask } from '../portal/reminder-task.js';
import { PortalJobs } from '../portal/portal-jobs.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** 'public': webhooks, health, JWKS; 'admin': /internal, /sync, health; 'all': one listener for both. */
export type Scope = 'all' | 'public' | 'admin';

export interface App {
  handler: Handler;
  handlerFor(scope: Scope): Handler;
  router: Router;
  deps: ServerDeps;
  /** Starts the background workers (fulfilment, outbox). */
  start(): void;
  /** Runs the background work until nothing is left (tests). */
  drain(): Promise<void>;
  /** Finishes in-flight requests and the current background batch, then closes the store. */
  close(): Promise<void>;
  /** Tells the app where it listens: the public URL in mail links when LICENSE_ADMIN_PUBLIC_URL is unset. */
  listeningOn(url: string): void;
  /** Uses this config from the next request or order on (`serve` on SIGHUP). */
  reloadConfig(config: ServerDeps['config']): void;
}

const ADMIN_PREFIXES = ['/internal/', '/sync/'];

export function createApp(input: ServerInput): App {
  const router = new Router();
  const loops: BackgroundLoop[] = [];
  const wakeable: BackgroundLoop[] = [];
  const publicUrl = publicUrlHolder(input.env.LICENSE_ADMIN_PUBLIC_URL);
  const deps: ServerDeps = { ...withServerDefaults(input, publicUrl), wake: () => wakeable.forEach((l) => l.wake()) };
  const portalJobs = new PortalJobs(deps.log);
  registerHealthRoutes(router);
  registerJwksRoutes(router);
  registerAdminRoutes(router);
  registerSyncRoutes(router);
  registerWebhookRoutes(router);
  registerLicenseRoutes(router);
  registerLemonSqueezyLicenseRoutes(router);
  registerGumroadLicenseRoutes(router);
  registerRevocationRoutes(router);
  registerOpenApiRoutes(router);
  registerPortalRoutes(router, portalJobs);
  // Two loops, so sending mail (SMTP round trips) never holds up minting the next sales, and vice versa.
  const interval = deps.pollIntervalMs ?? 1000;
  const fulfilment = new BackgroundLoop([createFulfilmentTask(deps)], deps.log, interval);
  const outbox = new BackgroundLoop([createOutboxTask(deps)], deps.log, interval);
  // Reminders look for licenses near their end now and then, not every poll.
  const reminders = new BackgroundLoop([createReminderTask(deps)], deps.log, deps.reminderIntervalMs ?? 60_000);
  loops.push(fulfilment, outbox, reminders);
  wakeable.push(fulfilment, outbox);
  let inFlight = 0;
  let idle: (() => void) | null = null;
  const maxBody = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const handlerFor = (scope: Scope): Handler => (req, res) => {
    inFlight++;
    void handle(req, res, scope).finally(() => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, scope: Scope): Promise<void> {
    const started = performance.now();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const log = deps.log.child({ requestId });
    const url = new URL(req.url ?? '/', 'http://localhost');
    let status = 500;
    try {
      const isAdminPath = ADMIN_PREFIXES.some((p) => url.pathname.startsWith(p));
      const hidden = (scope === 'public' && isAdminPath) || (scope === 'admin' && !isAdminPath && url.pathname !== '/health');
      const match = hidden ? null : router.match(req.method ?? 'GET', url.pathname);
      if (!match) throw new HttpError(404, 'not_found', `no route ${req.method} ${url.pathname}`);
      if ('allowed' in match) throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed here`, { allow: match.allowed.join(', ') });
      const body = await readBody(req, maxBody);
      const response = await match.handler({ req, url, body, requestId, deps, log });
      status = response.status;
      send(res, response, requestId);
    } catch (error) {
      if (error instanceof HttpError) {
        status = error.status;
        if (status >= 500) log.error('request failed', { code: error.code });
        // A body we refused to read may still be arriving: close the connection rather than drain it.
        const headers = status === 413 ? { ...error.headers, connection: 'close' } : error.headers;
        send(res, { status, json: errorBody(error.code, error.message, requestId), headers }, requestId);
      } else if (error instanceof StoreBusyError) {
        // Another process (a CLI import) holds the SQLite ledger: transient, and safe to repeat.
        status = 503;
        log.warn('database busy', { path: url.pathname });
        send(res, { status, json: errorBody('database_busy', error.message, requestId), headers: { 'retry-after': '5' } }, requestId);
      } else {
        status = 500;
        log.error('unhandled error', { error: (error as Error)?.name ?? 'Error', stack: String((error as Error)?.stack ?? error).split('\n').slice(0, 4).join(' | ') });
        send(res, { status, json: errorBody('internal', 'internal server error; see the server log for this request id', requestId) }, requestId);
      }
    } finally {
      log.info('request', { method: req.method, path: url.pathname, status, ms: Math.round((performance.now() - started) * 10) / 10 });
    }
  }

  return {
    handler: handlerFor('all'),
    handlerFor,
    router,
    deps,
    start: () => loops.forEach((l) => l.start()),
    // Fulfilment first: it queues the mail that the outbox then sends.
    drain: async () => {
      await fulfilment.drain();
      await portalJobs.idle();
      await reminders.drain();
      await outbox.drain();
    },
    listeningOn: (url) => publicUrl.listeningOn(url),
    reloadConfig(config) {
      deps.config = config;
    },
    async close() {
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
      await portalJobs.idle();
      await Promise.all(loops.map((l) => l.stop()));
      await deps.mail?.close?.();
      await deps.rateLimits.close();
      await deps.store.close();
    },
  };
}

function send(res: ServerResponse, r: RouteResponse, requestId: string): void {
  if (res.headersSent) return;
  const headers: Record<string, string | string[]> = { 'x-request-id': requestId, ...(r.headers ?? {}) };
  let body: string;
  if (r.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(r.json);
  } else if (r.html !== undefined) {
    headers['content-type'] = 'text/html; charset=utf-8';
    body = r.html;
  } else {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    body = r.text ?? '';
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(r.status, headers);
  res.end(body);
}

function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(header) ? header : randomUUID();
}
