// Minting through the server (Phase 1: the server is the place that mints), with the local ledger as the
// break-glass path when the server cannot be reached in time.
import type { Config } from '../config/config.js';
import { UserError } from '../errors.js';
import type { LedgerEvent } from '../ledger/events.js';
import type { LicenseView } from '../ledger/license-view.js';
import type { MintRequest } from '../licensing/mint.js';
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
}

export async function mintThroughServer(client: RemoteClient, req: MintRequest): Promise<RemoteMintResult> {
  const answer = await client.request<{ license?: LicenseView; created?: boolean; events?: unknown }>('POST', '/internal/mint', mintBody(req));
  if (!answer?.license?.licenseKey || typeof answer.license.blob !== 'string') throw new UserError('the server answered the mint without a license');
  if (answer.created === false) {
    const key = answer.license.licenseKey;
    throw new UserError(`order ${req.gumroadOrderId ?? ''} already has license ${key} on the server; "license-admin pull" then "license-admin show ${key}"`);
  }
  const events = answer.events === undefined ? [] : parseEventList(answer.events, 100, 'mint events');
  return { license: answer.license, events };
}
