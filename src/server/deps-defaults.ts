// The shared parts of ServerDeps that createApp builds when it is not handed them: rate limits on the
// store, the client-IP rule from LICENSE_ADMIN_TRUSTED_PROXIES, and the public URL for links in mail.
import { UserError } from '../errors.js';
import { clientIpResolver } from './client-ip.js';
import type { ServerDeps, ServerInput } from './deps.js';
import { createRateLimits } from './rate-limit.js';

export interface PublicUrlHolder {
  /** LICENSE_ADMIN_PUBLIC_URL, else the address the server listens on (set once it listens). */
  get(): URL;
  listeningOn(url: string): void;
}

export function withServerDefaults(input: ServerInput, publicUrl: PublicUrlHolder = publicUrlHolder(input.env.LICENSE_ADMIN_PUBLIC_URL)): ServerDeps {
  return {
    ...input,
    rateLimits: input.rateLimits ?? createRateLimits(() => input.store.rateLimitBackend()),
    clientIp: input.clientIp ?? clientIpResolver(input.env.LICENSE_ADMIN_TRUSTED_PROXIES),
    publicUrl: input.publicUrl ?? (() => publicUrl.get()),
  };
}

export function publicUrlHolder(configured: string | undefined): PublicUrlHolder {
  const fixed = configured ? parsePublicUrl(configured) : null;
  let listening: URL | null = null;
  return {
    get: () => new URL((fixed ?? listening ?? new URL('http://127.0.0.1/')).href),
    listeningOn(url) {
      const u = new URL(url);
      // A server bound to every interface is reached on the loopback address from this machine.
      if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
      listening = u;
    },
  };
}

export function parsePublicUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`LICENSE_ADMIN_PUBLIC_URL ${JSON.stringify(text)} is not a URL (e.g. https://licenses.example.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`LICENSE_ADMIN_PUBLIC_URL must be http(s), not ${url.protocol}`);
  if (url.username || url.password || url.search || url.hash) throw new UserError('LICENSE_ADMIN_PUBLIC_URL must be a plain base URL (no credentials, query or fragment)');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}
