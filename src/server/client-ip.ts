// Who is asking: the socket's address, or the X-Forwarded-For hop the configured proxies vouch for
// (proxy-addr walks the chain from the socket and stops at the first address it does not trust). With no
// trusted proxies, X-Forwarded-For is ignored: anyone can write that header.
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';
import { UserError } from '../errors.js';

/**
 * `trusted`: LICENSE_ADMIN_TRUSTED_PROXIES, a comma-separated list of addresses, CIDR ranges or the names
 * proxy-addr knows (loopback, linklocal, uniquelocal).
 */
export function clientIpResolver(trusted: string | undefined): (req: IncomingMessage) => string {
  const list = (trusted ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) return (req) => req.socket.remoteAddress ?? 'unknown';
  let trust: (addr: string, i: number) => boolean;
  try {
    trust = proxyAddr.compile(list);
  } catch (error) {
    throw new UserError(`LICENSE_ADMIN_TRUSTED_PROXIES: ${(error as Error).message} (use addresses, CIDR ranges, loopback, linklocal or uniquelocal, separated by commas)`);
  }
  return (req) => proxyAddr(req, trust);
}
