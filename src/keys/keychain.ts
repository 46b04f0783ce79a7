// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
// @napi-rs/keyring: maintained and prebuilt, unlike keytar (archived, compiles against libsecret).
import { UserError } from '../errors.js';

const SERVICE = 'license-admin';

export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

function unavailable(error: unknown): UserError {
  const why = error instanceof Error ? error.message : String(error);
  return new UserError(
    `the OS keychain is not reachable (${why}).\n` +
      'On a headless machine use an encrypted key file instead (init/keys with --key-storage file and LICENSE_ADMIN_KEY_PASSPHRASE), ' +
      'or set LICENSE_ADMIN_PRIVATE_KEY for this process.',
  );
}

export function createKeychain(service = SERVICE): SecretStore {
  const entry = async (account: string) => {
    const { Entry } = await import('@napi-rs/keyring');
    return new Entry(service, account);
  };
  return {
    async get(account) {
      try {
        return (await entry(account)).getPassword() ?? null;
      } catch (error) {
        if (/no (matching )?entry|not found/i.test(String(error))) return null;
        throw unavailable(error);
      }
    },
    async set(account, secret) {
      try {
        (await entry(account)).setPassword(secret);
      } catch (error) {
        throw unavailable(error);
      }
    },
    async delete(account) {
      try {
        return (await entry(account)).deletePassword();
      } catch (error) {
        if (/no (matching )?entry|not found/i.test(String(error))) return false;
        throw unavailable(error);
      }
    },
  };
}
