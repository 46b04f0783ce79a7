// `server trust-admin <publicKey>`: add an admin public key (printed by `remote add`) to the server's store.
import type { AppContext } from '../cli/app-context.js';
import { UsageError } from '../errors.js';
import { parseAdminPublicKey } from '../server/admin-auth.js';
import { openStore } from '../server/open-store.js';

export interface TrustAdminFlags {
  label?: string;
  databaseUrl?: string;
}

export async function trustAdminCommand(publicKey: string, flags: TrustAdminFlags, app: AppContext): Promise<void> {
  const key = parseAdminPublicKey(publicKey);
  if (!key) throw new UsageError('<publicKey> must be the base64url raw Ed25519 public key that "license-admin remote add" printed (43 characters)');
  const store = await openStore({ databaseUrl: flags.databaseUrl, ledgerFile: app.paths.ledgerFile, random: app.random });
  try {
    const { created } = await store.addAdminKey(key.x, key.kid, flags.label ?? null, app.clock());
    const result = { publicKey: key.x, kid: key.kid, created, database: store.kind };
    if (app.json) return app.out.json(result);
    app.out.info(created ? `Trusted admin key ${publicKey.trim()} (id ${key.kid}).` : `Admin key ${publicKey.trim()} (id ${key.kid}) was already trusted.`);
  } finally {
    await store.close();
  }
}
