import { Option, type Command } from 'commander';
import { example, type Runner } from '../cli.js';
import { UsageError } from '../errors.js';

// --key-storage, as in `init` and config.json's keyStorage; --storage is the old spelling, kept hidden.
const STORAGES = ['keychain', 'file', 'plaintext-file'];
const withKeyStorage = (c: Command) =>
  c
    .addOption(new Option('--key-storage <where>', 'where the private key goes (default: config keyStorage)').choices(STORAGES))
    .addOption(new Option('--storage <where>').choices(STORAGES).hideHelp());

export function registerKeysCommands(program: Command, run: Runner): void {
  const keys = program
    .command('keys')
    .description('signing keys: create, import, show, rotate, back up')
    .addHelpText('after', example('license-admin keys show', 'license-admin keys backup ~/escrow/keys.lakeys'));
  const load = () => import('../commands/keys.js');

  withKeyStorage(keys.command('init'))
    .description('generate the signing key (stored in the OS keychain by default)')
    .addHelpText('after', example('license-admin keys init', 'LICENSE_ADMIN_KEY_PASSPHRASE=... license-admin keys init --key-storage file'))
    .action((opts, cmd) => run(cmd, async (app) => (await load()).keysInitCommand(opts, app)));

  withKeyStorage(keys.command('import [file]'))
    .description('import an existing key: 32-byte seed (hex/base64), PKCS#8 PEM, a "keys backup" file, or an env var')
    .option('--from-env <VAR>', 'read the key from this environment variable (e.g. the legacy DATATOOLS_LICENSE_PRIVKEY)')
    .option('--no-activate', 'keep it for verification only; do not sign with it')
    .option('--to <signer-uri>', 'put it into a remote signer instead (PKCS#11 URI; see LICENSE_ADMIN_SIGNER in ADMIN.md); the PIN from LICENSE_ADMIN_PKCS11_PIN')
    .option('--delete-local', 'with --to: once the signer verifiably signs as this key, delete the copy in the keychain / key file (asked at a terminal otherwise)')
    .addHelpText('after', example('license-admin keys import --from-env DATATOOLS_LICENSE_PRIVKEY', 'license-admin keys import --to "$LICENSE_ADMIN_SIGNER"', 'license-admin keys import prod-key.pem', 'license-admin keys import backup.lakeys'))
    .action((file, opts, cmd) => run(cmd, async (app) => (await load()).keysImportCommand(file, opts, app)));

  keys
    .command('show')
    .description('public keys as hex, PEM, JWK and JWKS, with snippets to embed in your app')
    .option('--product <id>', 'mark the key that signs this product, with its snippet')
    .addHelpText('after', example('license-admin keys show', 'license-admin keys show --json | jq .jwks', 'license-admin keys show --product studio'))
    .action((opts, cmd) => run(cmd, async (app) => (await load()).keysShowCommand(opts, app)));

  keys
    .command('test')
    .description('sign one probe through the configured signer (LICENSE_ADMIN_SIGNER or the local key), verify it, report the latency')
    .option('--product <id>', 'the signer of this product')
    .addHelpText('after', example('LICENSE_ADMIN_SIGNER="pkcs11:token=la;object=license?module-path=/usr/lib/softhsm/libsofthsm2.so" license-admin keys test --json'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/keys-remote.js')).keysTestCommand(opts, app)));

  withKeyStorage(keys.command('rotate'))
    .description('add a new signing key; old keys stay for verification. With --prepare it waits for "keys activate"')
    .option('--prepare', 'add the new key without signing with it yet (ship its public key in your app first)')
    .option('--product <id>', 'a new key for this product only; the other products keep theirs')
    .option('--to <signer-uri>', 'the new key is one created inside an HSM or KMS (e.g. awskms:<key id>): its public key is read from there')
    .addHelpText('after', example('license-admin keys rotate --prepare', 'license-admin keys activate <kid>   # once the app build that trusts it is out', 'license-admin keys rotate --product studio', 'license-admin keys rotate --prepare --to awskms:arn:aws:kms:eu-west-1:111122223333:key/<id>'))
    .action((opts, cmd) => run(cmd, async (app) => {
      if (opts.to === undefined) return (await load()).keysRotateCommand(opts, app);
      if (opts.product !== undefined) throw new UsageError('--to and --product cannot be combined yet: rotate to the backend key for all products, or give the product its key with "keys activate <kid> --product <id>"');
      return (await import('../commands/keys-remote.js')).keysRotateToCommand(opts.to, opts, app);
    }));

  keys
    .command('activate <kid>')
    .description('make this key the one that signs new licenses')
    .option('--product <id>', 'make it sign this product only')
    .addHelpText('after', example('license-admin keys activate mJVQX2O4zMycwjwoi2dhYLR1U71WsVyiOVvSjlenH7c', 'license-admin keys activate <kid> --product studio'))
    .action((kid, opts, cmd) => run(cmd, async (app) => (await load()).keysActivateCommand(kid, opts, app)));

  keys
    .command('backup <file>')
    .description('write a passphrase-encrypted export of every key, for escrow (LICENSE_ADMIN_BACKUP_PASSPHRASE or prompt)')
    .addHelpText('after', example('license-admin keys backup ~/escrow/license-keys.lakeys'))
    .action((file, _opts, cmd) => run(cmd, async (app) => (await load()).keysBackupCommand(file, app)));
}
