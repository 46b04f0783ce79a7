// PLACEHOLDER for the lead's src/server/client-ip.ts (proxy-addr). Same signature; X-Forwarded-For is
// believed only from the listed proxy addresses. Replaced by main's file at merge.
import type { IncomingMessage } from 'node:http';

export function clientIpResolver(trusted: string | undefined): (req: IncomingMessage) => string {
  const proxies = new Set((trusted ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  return (req) => {
    const peer = req.socket.remoteAddress ?? 'unknown';
    const header = req.headers['x-forwarded-for'];
    if (!proxies.has(peer) || typeof header !== 'string') return peer;
    const hops = header.split(',').map((s) => s.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) if (!proxies.has(hops[i]!)) return hops[i]!;
    return peer;
  };
}
