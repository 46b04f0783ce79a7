// PLACEHOLDER for the lead's src/server/client-ip.ts (proxy-addr). Replaced by main's file at merge.
import type { IncomingMessage } from 'node:http';

export function clientIpResolver(_trusted: string | undefined): (req: IncomingMessage) => string {
  return (req) => req.socket.remoteAddress ?? 'unknown';
}
