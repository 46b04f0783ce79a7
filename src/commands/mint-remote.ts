// The remote half of `mint`: through the server when one is configured (or --remote); when it cannot be
// reached in time, say so and let the caller mint locally (break-glass). The next sync pushes that one.
// Each request carries an idempotency key (src/sync/mint-requests.ts): a retry never mints twice.
import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';
import { adminKeychain } from '../keys/keychain.js';
import type { LicenseView } from '../ledger/license-view.js';
import type { MintRequest } from '../licensing/mint.js';
import { mintRequestHash, pendingMintKey, settleMintRequest } from '../sync/mint-requests.js';
import { openRemote } from '../sync/open-remote.js';
import { applyServerEvents, pullEvents } from '../sync/pull.js';
import { RemoteRejectedError, RemoteUnavailableError } from '../sync/remote-client.js';
import { mintBody, mintThroughServer } from '../sync/remote-mint.js';

/** Follows what went wrong, e.g. "server unreachable at https://… (ECONNREFUSED): minted locally …". */
export const BREAK_GLASS_WARNING = 'minted locally (break-glass); the next sync pushes it';

export interface RemoteMint {
  license: LicenseView;
  /** The server queued the license mail (we asked it to: this machine cannot send mail). */
  mailedByServer: boolean;
}

/** The server's license, or null when the caller should mint locally (the server could not be reached). */
export async function mintThroughServerOrNull(request: MintRequest, app: AppContext, options: { serverSends: boolean }): Promise<RemoteMint | null> {
  const config = app.config();
  const ledger = await app.ledger();
  const client = await openRemote({ config, ledger, env: app.env, clock: app.clock, keychain: adminKeychain }, 'mint');
  const hash = mintRequestHash(client.url, mintBody(request));
  const { key, retry } = pendingMintKey(ledger, hash, app.clock(), app.random);
  if (retry) app.out.info('Retrying an earlier, unfinished attempt of this same mint with its idempotency key: the server will not mint it twice.');
  let result;
  try {
    result = await mintThroughServer(client, request, { idempotencyKey: key, send: options.serverSends });
  } catch (error) {
    if (error instanceof RemoteUnavailableError) {
      settleMintRequest(ledger, hash); // the caller mints it here instead
      app.out.warn(`${error.message}: ${BREAK_GLASS_WARNING}`);
      return null;
    }
    if (error instanceof RemoteRejectedError) {
      settleMintRequest(ledger, hash); // refused: nothing was minted
      if (error.serverCode === 'mail_unavailable') {
        throw new UserError('--send: this machine has no working SMTP settings and the server has none either, so nobody could mail the license; nothing was minted. Configure mail here ("license-admin config smtp") or on the server, or mint without --send and use "license-admin resend" later.');
      }
    }
    throw error;
  }
  // The server's events now, so show/search work offline at once; the next pull sees them as duplicates.
  if (result.events.length > 0) applyServerEvents(ledger, client.url, result.events, null, app.clock);
  else if (result.replayed) await pullEvents(ledger, client, { clock: app.clock });
  settleMintRequest(ledger, hash);
  return { license: result.license, mailedByServer: result.mailQueued };
}
