// `serve` with a remote signer: a backend holding another key refuses the start; a backend that is down only
// warns (sales are queued and fulfilled when it is back, mints answer 503 meanwhile).
import type { AppContext } from '../cli/app-context.js';
import type { KeyStore } from '../keys/key-store.js';
import { SignerUnavailableError, type Signer } from '../license/signer.js';
import { checkBackendKey } from './open-signer.js';
import { openRemote } from './choose-signer.js';
import { signerEnv } from './signer-config.js';

export async function checkSignerAtStart(signer: Signer, keys: KeyStore, app: AppContext): Promise<void> {
  if (signer.backend === 'local') return;
  const remote = await openRemote(keys, signerEnv(app), app.config().signingKid ?? '');
  try {
    await checkBackendKey(remote);
  } catch (error) {
    if (!(error instanceof SignerUnavailableError)) throw error;
    app.out.warn(`${error.message}; starting anyway: sales wait in the queue and mints answer 503 until it is back`);
  } finally {
    await remote.key.close();
  }
}
