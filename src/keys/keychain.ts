// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
// @napi-rs/keyring: maintained and prebuilt, unlike keytar (archived, compiles against libsecret).
import { UserError } from '../errors.js';

const SERVICE = 'license-admin';

export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

/** What to do instead, per secret: said when the keychain cannot be reached. */
export const SIGNING_KEY_ALTERNATIVES =
  'On a headless machine use an encrypted key file instead (init/keys with --key-storage file and LICENSE_ADMIN_KEY_PASSPHRASE), ' +
  'or set LICENSE_ADMIN_PRIVATE_KEY for this process.';
export const ADMIN_KEY_ALTERNATIVES =
  'Without a keychain, give this CLI its admin key in LICENSE_ADMIN_ADMIN_KEY (32 random bytes as 64 hex characters, e.g. from "openssl rand -hex 32"; keep it in your secret manager) and run the command again.';

function unavailable(error: unknown, alternatives: string): UserError {
  const why = error instanceof Error ? error.message : String(error);
  return new UserError(`the OS keychain is not reachable (${why}).\n${alternatives}`, { code: 'unavailable' });
}

export function createKeychain(service = SERVICE, alternatives = SIGNING_KEY_ALTERNATIVES): SecretStore {
  const entry = async (account: string) => {
    const { Entry } = await import('@napi-rs/keyring');
    // On Linux only the Secret Service (gnome-keyring, KWallet) is a keychain: the kernel keyring that
    // @napi-rs/keyring otherwise falls back to forgets everything at logout, so a key "stored" there is lost.
    return new Entry(service, account, { linux: { store: 'secret-service' } });
  };
  return {
    async get(account) {
      try {
        return (await entry(account)).getPassword() ?? null;
      } catch (error) {
        if (/no (matching )?entry|not found/i.test(String(error))) return null;
        throw unavailable(error, alternatives);
      }
    },
    async set(account, secret) {
      try {
        (await entry(account)).setPassword(secret);
      } catch (error) {
        throw unavailable(error, alternatives);
      }
    },
    async delete(account) {
      try {
        return (await entry(account)).deletePassword();
      } catch (error) {
        if (/no (matching )?entry|not found/i.test(String(error))) return false;
        throw unavailable(error, alternatives);
      }
    },
  };
}

/** The keychain as the home of the CLI's admin credentials (remote add, sync, mint --remote). */
export function adminKeychain(): SecretStore {
  return createKeychain(SERVICE, ADMIN_KEY_ALTERNATIVES);
}
