// The remote half of `mint`: through the server when one is configured (or --remote); when it cannot be
// reached in time, say so and let the caller mint locally (break-glass). The next sync pushes that one.
import type { AppContext } from '../cli/app-context.js';
import { adminKeychain } from '../keys/keychain.js';
import type { LicenseView } from '../ledger/license-view.js';
import type { MintRequest } from '../licensing/mint.js';
import { openRemote } from '../sync/open-remote.js';
import { applyServerEvents } from '../sync/pull.js';
import { RemoteUnavailableError } from '../sync/remote-client.js';
import { chooseMintRoute, mintThroughServer } from '../sync/remote-mint.js';

/** Follows what went wrong, e.g. "server unreachable at https://… (ECONNREFUSED): minted locally …". */
export const BREAK_GLASS_WARNING = 'minted locally (break-glass); the next sync pushes it';

/** The server's license, or null when the caller should mint locally. */
export async function mintThroughServerOrNull(flags: { local?: boolean; remote?: boolean }, request: MintRequest, app: AppContext): Promise<LicenseView | null> {
  const config = app.config();
  if (chooseMintRoute(flags, config) === 'local') return null;
  const ledger = await app.ledger();
  const client = await openRemote({ config, ledger, env: app.env, clock: app.clock, keychain: adminKeychain }, 'mint');
  try {
    const result = await mintThroughServer(client, request);
    // The server's events now, so show/search work offline at once; the next pull sees them as duplicates.
    if (result.events.length > 0) applyServerEvents(ledger, client.url, result.events, null, app.clock);
    return result.license;
  } catch (error) {
    if (!(error instanceof RemoteUnavailableError)) throw error;
    app.out.warn(`${error.message}: ${BREAK_GLASS_WARNING}`);
    return null;
  }
}
