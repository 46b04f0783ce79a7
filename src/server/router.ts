// Exact-path routing (the API has a handful of fixed paths; no patterns needed).
import type { IncomingMessage } from 'node:http';
import type { Logger } from './logger.js';
import type { ServerDeps } from './deps.js';

export interface RequestContext {
  req: IncomingMessage;
  url: URL;
  /** The raw request bytes (size-limited before the handler runs). */
  body: Buffer;
  requestId: string;
  deps: ServerDeps;
  log: Logger;
}

export interface RouteResponse {
  status: number;
  json?: unknown;
  text?: string;
  html?: string;
  /** A list value sends the header once per item (several Set-Cookie). */
  headers?: Record<string, string | string[]>;
}

export type RouteHandler = (ctx: RequestContext) => Promise<RouteResponse>;

export type RouteMatch = { handler: RouteHandler } | { allowed: string[] } | null;

export class Router {
  private readonly routes = new Map<string, Map<string, RouteHandler>>();

  add(method: string, path: string, handler: RouteHandler): void {
    const byMethod = this.routes.get(path) ?? new Map<string, RouteHandler>();
    if (byMethod.has(method.toUpperCase())) throw new Error(`route ${method} ${path} is registered twice`);
    byMethod.set(method.toUpperCase(), handler);
    this.routes.set(path, byMethod);
  }

  /** The handler, or the allowed methods when only the method is wrong (405), or null (404). */
  match(method: string, path: string): RouteMatch {
    const byMethod = this.routes.get(path);
    if (!byMethod) return null;
    const handler = byMethod.get(method.toUpperCase()) ?? (method.toUpperCase() === 'HEAD' ? byMethod.get('GET') : undefined);
    return handler ? { handler } : { allowed: [...byMethod.keys()] };
  }

  paths(): string[] {
    return [...this.routes.keys()];
  }
}
