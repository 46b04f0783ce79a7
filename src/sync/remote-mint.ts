// Minting through the server (Phase 1: the server is the place that mints), with the local ledger as the
// break-glass path when the server cannot be reached in time.
import type { Config } from '../config/config.js';
import { UserError } from '../errors.js';
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseView } from '../ledger/license-view.js';
import type { MintRequest } from '../usecases/mint.js';
import { parseEventList } from './event-wire.js';
import type { RemoteClient } from './remote-client.js';

export type MintRoute = 'remote' | 'local';

/** --local wins; --remote needs a server; otherwise a configured server in remote-first mode is used. */
export function chooseMintRoute(flags: { local?: boolean; remote?: boolean }, config: Config): MintRoute {
  if (flags.local && flags.remote) throw new UserError('give --local or --remote, not both', { exitCode: 2 });
  if (flags.local) return 'local';
  if (flags.remote) {
    if (!config.remote?.url) throw new UserError('--remote: no server configured; run "license-admin remote add <url>" first');
    return 'remote';
  }
  return config.remote?.url && (config.remote.mode ?? 'remote-first') === 'remote-first' ? 'remote' : 'local';
}

/** The JSON body of POST /internal/mint for a request (dates as ISO strings). */
export function mintBody(req: MintRequest): Record<string, unknown> {
  return {
    tier: req.tier,
    email: req.email,
    ...(req.name ? { name: req.name } : {}),
    ...(req.years !== undefined ? { years: req.years } : {}),
    ...(req.expiresAt ? { expiresAt: req.expiresAt.toISOString() } : {}),
    ...(req.lifetime ? { lifetime: true } : {}),
    ...(req.gumroadOrderId ? { orderId: req.gumroadOrderId } : {}),
    ...(req.note ? { note: req.note } : {}),
    ...(req.seats !== undefined ? { seats: req.seats } : {}),
    ...(req.features ? { features: req.features } : {}),
    ...(req.updatesUntil ? { updatesUntil: req.updatesUntil.toISOString() } : {}),
  };
}

export interface RemoteMintResult {
  license: LicenseView;
  /** The events the server recorded, so the local ledger has the license at once (empty if not sent). */
  events: LedgerEvent[];
  /** An earlier attempt with the same idempotency key made this license (events are then not sent: pull). */
  replayed: boolean;
  /** The server queued the license mail itself (send: true). */
  mailQueued: boolean;
}

export interface RemoteMintOptions {
  idempotencyKey: string;
  /** Ask the server to mail the license (it refuses before minting when it cannot), or not to. */
  send: boolean;
  /** Another product than the server's first (config products); absent: the first. */
  product?: string;
}

export async function mintThroughServer(client: RemoteClient, req: MintRequest, options: RemoteMintOptions): Promise<RemoteMintResult> {
  const body = { ...mintBody(req), ...(options.product ? { product: options.product } : {}), idempotencyKey: options.idempotencyKey, send: options.send };
  const answer = await client.request<{ license?: LicenseView; created?: boolean; replayed?: boolean; mailQueued?: boolean; events?: unknown }>('POST', '/internal/mint', body);
  if (!answer?.license?.licenseKey || typeof answer.license.blob !== 'string') throw new UserError('the server answered the mint without a license');
  const replayed = answer.replayed === true;
  if (answer.created === false && !replayed) {
    const key = answer.license.licenseKey;
    throw new UserError(`order ${req.gumroadOrderId ?? ''} already has license ${key} on the server; "license-admin pull" then "license-admin show ${key}"`, { code: 'conflict' });
  }
  const events = answer.events === undefined ? [] : parseEventList(answer.events, 100, 'mint events');
  return { license: answer.license, events, replayed, mailQueued: answer.mailQueued === true };
}
