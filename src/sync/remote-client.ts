// HTTP to the license server with fetch. Every request carries a fresh admin token bound to its method,
// path + query and body bytes. Failures become UserErrors that say which side to look at.
import { signAdminToken, ADMIN_AUTH_SCHEME } from '../auth/admin-token.js';
import { UserError } from '../errors.js';
import type { SigningKey } from '../license/ed25519-key.js';

/**
 * The server could not be reached or answered 5xx: the caller may fall back (break-glass mint).
 * `mayHaveArrived`: the request may have been carried out even so (a timeout, an answer cut off, a 5xx),
 * as opposed to a connection that never opened or a server that said it did nothing.
 */
export class RemoteUnavailableError extends UserError {
  constructor(message: string, readonly mayHaveArrived: boolean) {
    super(message, { code: 'unavailable' });
  }
}

/** Failures before a byte of the request could reach the server (DNS, refused, no route, connect timeout). */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_CONNECT_TIMEOUT']);

function neverSent(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  return code !== undefined && NEVER_SENT.has(code);
}

/** The server answered 4xx: the request itself (or the credential) is the problem. */
export class RemoteRejectedError extends UserError {
  /** serverCode: the server's own error code (`{ error: { code } }`), when it sent one. */
  constructor(message: string, readonly status: number, readonly serverCode: string | undefined) {
    super(message, { code: status === 409 ? 'conflict' : status === 404 ? 'not_found' : 'user_error' });
  }
}

export interface RemoteClientOptions {
  url: string;
  adminKey: SigningKey | null;
  clock: () => Date;
  timeoutMs: number;
}

export interface RemoteClient {
  readonly url: string;
  request<T>(method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

/** Accepts http(s) URLs only; keeps a path prefix ("https://x.example/licenses") and drops a trailing slash. */
export function normalizeRemoteUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UserError(`"${input}" is not a URL; give the server's address, e.g. https://licenses.example.com`, { exitCode: 2 });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`${input}: use an https:// (or http:// for a local test) URL`, { exitCode: 2 });
  if (url.username || url.password) throw new UserError('put no credentials in the server URL; the admin key signs each request', { exitCode: 2 });
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

export function createRemoteClient(options: RemoteClientOptions): RemoteClient {
  return {
    url: options.url,
    async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
      const target = new URL(options.url + path);
      const signedPath = target.pathname + target.search;
      const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (options.adminKey && !headers.authorization) {
        headers.authorization = `${ADMIN_AUTH_SCHEME} ${signAdminToken({ method, path: signedPath, body: text }, options.adminKey, options.clock())}`;
      }
      let response: Response;
      try {
        response = await fetch(target, { method, headers, ...(body !== undefined ? { body: text } : {}), signal: AbortSignal.timeout(options.timeoutMs) });
      } catch (error) {
        throw new RemoteUnavailableError(`server unreachable at ${target.origin} (${describe(error)})`, !neverSent(error));
      }
      let payload: unknown;
      let raw = '';
      try {
        raw = await response.text();
        payload = raw ? JSON.parse(raw) : null;
      } catch (error) {
        if (response.ok || raw === '') throw new RemoteUnavailableError(`the server's answer to ${method} ${target.pathname} was cut off or not JSON (${describe(error)})`, true);
      }
      if (response.ok) return payload as T;
      const err = (payload as { error?: { code?: string; message?: string; requestId?: string } } | undefined)?.error;
      // One level of brackets at most: the server's words follow a colon, the request id a comma.
      const said = err ? `${err.code}: ${err.message}${err.requestId ? `, request ${err.requestId}` : ''}` : `HTTP ${response.status}`;
      // database_busy: the server's ledger was held by another writer and nothing was done.
      if (response.status >= 500) throw new RemoteUnavailableError(`the server at ${target.origin} failed: ${said}`, err?.code !== 'database_busy');
      if (response.status === 401 || response.status === 403) {
        const hint = path.startsWith('/internal/enroll') ? 'check the enrolment token' : 'let the server trust this CLI\'s admin key (the command is printed by "license-admin remote add")';
        throw new RemoteRejectedError(`the server refused the credential: ${said}; ${hint}`, response.status, err?.code);
      }
      throw new RemoteRejectedError(`the server rejected ${method} ${target.pathname}: ${said}`, response.status, err?.code);
    },
  };
}
