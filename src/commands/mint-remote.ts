// The remote half of `mint`: through the server when one is configured (or --remote); when it cannot be
// reached in time, say so and let the caller mint locally (break-glass). The next sync pushes that one.
// Each request carries an idempotency key (src/sync/mint-requests.ts): a retry never mints twice, and the
// license key is derived from it (src/usecases/request-license-key.ts), so a break-glass mint after a
// lost answer is the same license the server may have made, not a second one.
import type { AppContext } from '../cli/app-context.js';
import { UserError } from '../errors.js';
import { adminKeychain } from '../keys/keychain.js';
import type { Ledger } from '../ledger/ledger.js';
import type { LicenseView } from '../ledger/license-view.js';
import type { MintRequest } from '../usecases/mint.js';
import { licenseKeyForRequest } from '../usecases/request-license-key.js';
import { mintRequestHash, pendingMintKey, settleMintRequest } from '../sync/mint-requests.js';
import { openRemote } from '../sync/open-remote.js';
import { applyServerEvents, pullEvents } from '../sync/pull.js';
import { RemoteRejectedError, RemoteUnavailableError } from '../sync/remote-client.js';
import { mintBody, mintThroughServer } from '../sync/remote-mint.js';

/** Follows what went wrong, e.g. "server unreachable at https://… (ECONNREFUSED): minted locally …". */
export const BREAK_GLASS_WARNING = 'minted locally (break-glass); the next sync pushes it';

export type RemoteMint =
  | { kind: 'remote'; license: LicenseView; /** The server queued the license mail (we asked it to). */ mailedByServer: boolean }
  /** Mint here with this key, then settle() the request (kept until then, so a crash retries the same key). */
  | { kind: 'break-glass'; licenseKey: string; settle: () => void };

export interface RemoteMintRoute {
  /** Why this machine cannot mail the license (then the server is asked to), or null when it can. */
  localMailProblem: string | null;
  /** Another product than the first (config products), or undefined. */
  product?: string;
}

export async function mintThroughServerOrBreakGlass(request: MintRequest, app: AppContext, route: RemoteMintRoute): Promise<RemoteMint> {
  const config = app.config();
  const ledger = await app.ledger();
  const client = await openRemote({ config, ledger, env: app.env, clock: app.clock, keychain: adminKeychain }, 'mint');
  const serverSends = route.localMailProblem !== null;
  const product = route.product !== undefined && route.product !== config.product ? route.product : undefined;
  const hash = mintRequestHash(client.url, { ...mintBody(request), send: serverSends, ...(product ? { product } : {}) });
  const { key, retry } = pendingMintKey(ledger, hash, app.clock(), app.random);
  if (retry) app.out.info('Retrying an earlier, unfinished attempt of this same mint with its idempotency key: the server will not mint it twice.');
  let result;
  try {
    result = await mintThroughServer(client, request, { idempotencyKey: key, send: serverSends, ...(product ? { product } : {}) });
  } catch (error) {
    if (error instanceof RemoteUnavailableError) return breakGlass(error, { ledger, hash, localMailProblem: route.localMailProblem, app, licenseKey: licenseKeyForRequest(app.productConfig(product).prefix, request.tier, key) });
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
  return { kind: 'remote', license: result.license, mailedByServer: result.mailQueued };
}

interface BreakGlassContext {
  ledger: Ledger;
  hash: string;
  localMailProblem: string | null;
  app: AppContext;
  licenseKey: string;
}

function breakGlass(error: RemoteUnavailableError, c: BreakGlassContext): RemoteMint {
  if (c.localMailProblem !== null) {
    // Only the server could mail it. If the request may have arrived, the server may have minted and mailed
    // it: keep the idempotency key, so running the same command again gets that license and sends no second mail.
    if (error.mayHaveArrived) {
      throw new UserError(`--send: ${error.message}. The server may or may not have minted and mailed the license, and this machine cannot send mail (${c.localMailProblem}). Run the same command again when the server answers: it repeats this request, so it cannot mint twice.`, { code: 'unavailable' });
    }
    settleMintRequest(c.ledger, c.hash);
    throw new UserError(`--send: ${error.message}, and this machine cannot send mail (${c.localMailProblem}); nothing was minted`, { code: 'unavailable' });
  }
  c.app.out.warn(`${error.message}: ${BREAK_GLASS_WARNING}`);
  return { kind: 'break-glass', licenseKey: c.licenseKey, settle: () => settleMintRequest(c.ledger, c.hash) };
}
