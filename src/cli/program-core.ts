import { Option, type Command } from 'commander';
import { example, type Runner } from '../cli.js';

export function registerCoreCommands(program: Command, run: Runner): void {
  program
    .command('init')
    .description('first run: write the config, create or import the signing key, create the ledger')
    .option('-y, --yes', 'never prompt; use defaults for anything not given')
    .option('--product <id>', 'product id (the "iss" claim)')
    .option('--product-name <name>', 'product name shown in emails')
    .option('--prefix <PREFIX>', 'license key prefix, e.g. DT1')
    .option('--tiers <list>', 'comma-separated tiers, e.g. lite,core,pro,enterprise')
    .option('--default-years <n|lifetime>', 'default license duration')
    .option('--blob-tag <TAG>', 'tag in front of blobs, e.g. DTLIC3 ("none" for bare JWS)')
    .addOption(new Option('--key-storage <where>', 'where the private key lives').choices(['keychain', 'file', 'plaintext-file']))
    .option('--import-key <file|->', 'import an existing private key (seed hex/base64 or PKCS#8 PEM) instead of generating one')
    .option('--support-email <address>', 'support address shown in license emails')
    .option('--force', 'overwrite an existing config')
    .addHelpText('after', example('license-admin init', 'license-admin init --yes --product datatools --prefix DT1 --blob-tag DTLIC3'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/init.js')).initCommand(opts, app)));

  program
    .command('mint')
    .description('mint a license (works offline; the break-glass path when the server is down)')
    .option('-t, --tier <tier>', 'tier, e.g. pro')
    .option('-e, --email <email>', "buyer's email")
    .option('-n, --name <name>', "buyer's name")
    .option('--years <n>', 'valid for N years (default from config)')
    .option('--expires <date>', 'valid until this date (YYYY-MM-DD)')
    .option('--lifetime', 'never expires')
    .option('--updates-until <date>', 'perpetual license covering updates released before this date')
    .option('--seats <n>', 'number of seats')
    .option('--features <list>', 'comma-separated feature flags')
    .option('--order-id <id>', 'the order: a bare id is the Gumroad sale gumroad:<id>; others as stripe:<id> or lemonsqueezy:<id>; one order, one license')
    .option('--note <text>', 'a support note')
    .option('--send', 'email the license to the buyer')
    .option('--preview', 'with --send: print the email instead of queueing it (the license is still minted)')
    .option('--product <id>', 'which product (needed when there are several; see "config product list")')
    .option('--local', 'mint locally even when a remote server is configured')
    .option('--remote', 'mint through the configured server (falls back to local when unreachable)')
    .addHelpText('after', example('license-admin mint --tier pro --email jane@example.com --name "Jane Doe"', 'license-admin mint --tier core --email bob@example.com --lifetime --json'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/mint.js')).mintCommand(opts, app)));

  program
    .command('verify [blob]')
    .description('decode and check a blob: the blob itself, a file holding one, "-" for stdin, or a JSONL log (checks every line)')
    .option('--product <id>', 'expected product id (default: the configured one)')
    .option('--format <jws|plugin>', 'blob format (default: the configured one)')
    .option('--key <jwk|pem|hex>', 'verify against this public key instead of the configured keys')
    .addHelpText('after', example('license-admin verify DTLIC3:eyJhbGciOi...', 'pbpaste | license-admin verify - --json') + '\nExit codes: 0 valid; 1 not valid (malformed, bad signature, unknown key, expired, not yet valid, wrong product; for a\nJSONL log: some line failed), or a user error (no keys, no such file); 3 the signature is valid but the local ledger\nsays the license is revoked; 2 a usage error (nothing to verify).\n')
    .action((blob, opts, cmd) => run(cmd, async (app) => (await import('../commands/verify.js')).verifyCommand(blob, opts, app)));

  program
    .command('revoke <key>')
    .description('revoke a license (refund, chargeback, abuse)')
    .option('-r, --reason <text>', 'why, kept in the history')
    .addHelpText('after', example('license-admin revoke DT1-PRO-7K2M-9QXH-4TZB-W3NAG --reason refund'))
    .action((key, opts, cmd) => run(cmd, async (app) => (await import('../commands/lifecycle.js')).revokeCommand(key, opts, app)));

  program
    .command('reinstate <key>')
    .description('undo a revocation')
    .addHelpText('after', example('license-admin reinstate DT1-PRO-7K2M-9QXH-4TZB-W3NAG'))
    .action((key, _opts, cmd) => run(cmd, async (app) => (await import('../commands/lifecycle.js')).reinstateCommand(key, app)));

  program
    .command('renew <key>')
    .description('a fresh blob for the same key with a later expiry (from the later of now and the current expiry)')
    .option('--years <n>', 'extend by N years (default 1)')
    .option('--until <date>', 'new expiry date (YYYY-MM-DD)')
    .option('--lifetime', 'make it a lifetime license (it never expires)')
    .option('--shorten', 'allow --until to end the license earlier than it ends now')
    .option('--accept-unverified', 'also re-sign an imported blob that could not be verified (check it first)')
    .option('--send', 'email the renewed license to the buyer')
    .option('--preview', 'with --send: print the email instead of queueing it (the license is still renewed)')
    .addHelpText('after', example('license-admin renew DT1-PRO-7K2M-9QXH-4TZB-W3NAG --years 1 --send', 'license-admin renew DT1-PRO-7K2M-9QXH-4TZB-W3NAG --lifetime'))
    .action((key, opts, cmd) => run(cmd, async (app) => (await import('../commands/lifecycle.js')).renewCommand(key, opts, app)));

  program
    .command('edit <key>')
    .description("correct a buyer's email or name, or change the tier (upgrade): same key, a re-signed blob, the old values kept in the history")
    .option('--email <email>', 'the new email address')
    .option('--name <name>', "the buyer's name as it should appear")
    .option('--tier <tier>', 'another configured tier (the key keeps the tier it was minted with; the blob carries the new one)')
    .option('--accept-unverified', 'also re-sign an imported blob that could not be verified (check it first)')
    .option('--send', 'email the re-signed license to the buyer (at the new address)')
    .option('--preview', 'with --send: print the email instead of queueing it (the change is still made)')
    .addHelpText('after', example('license-admin edit DT1-PRO-7K2M-9QXH-4TZB-W3NAG --email jane@new.example --send', 'license-admin edit DT1-PRO-7K2M-9QXH-4TZB-W3NAG --tier enterprise --json'))
    .action((key, opts, cmd) => run(cmd, async (app) => (await import('../commands/lifecycle.js')).editCommand(key, opts, app)));

  program
    .command('note <key> <text>')
    .description('add a support note to a license')
    .addHelpText('after', example('license-admin note DT1-PRO-7K2M-9QXH-4TZB-W3NAG "asked for invoice"'))
    .action((key, text, _opts, cmd) => run(cmd, async (app) => (await import('../commands/lifecycle.js')).noteCommand(key, text, app)));

  program
    .command('search <text>')
    .option('--product <id>', 'only this product (default: every product)')
    .description('find licenses by email, name, key or order id (substring, any case)')
    .option('--csv', 'print CSV')
    .addHelpText('after', example('license-admin search jane', 'license-admin search @example.com --json'))
    .action((text, opts, cmd) => run(cmd, async (app) => (await import('../commands/list.js')).searchCommand(text, opts, app)));

  program
    .command('list')
    .description('list licenses, newest first')
    .option('--product <id>', 'only this product (default: every product)')
    .option('--tier <tier>', 'only this tier')
    .addOption(new Option('--active', 'only active').conflicts(['expired', 'revoked']))
    .addOption(new Option('--expired', 'only expired').conflicts(['revoked']))
    .option('--revoked', 'only revoked')
    .option('--expiring-within <duration>', 'active and expiring within e.g. 30d')
    .option('--issued-since <date>', 'issued on or after this date')
    .option('--page <n>', '50 per page (default 1); with --json/--csv only when given')
    .option('--all', 'no pagination')
    .option('--csv', 'print CSV (complete)')
    .addHelpText('after', example('license-admin list --expiring-within 30d', 'license-admin list --tier pro --active --json'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/list.js')).listCommand(opts, app)));

  program
    .command('show <keyOrEmail>')
    .description('a license (or all of a person\'s licenses) with status and history')
    .addHelpText('after', example('license-admin show jane@example.com', 'license-admin show DT1-PRO-7K2M-9QXH-4TZB-W3NAG --json'))
    .action((target, _opts, cmd) => run(cmd, async (app) => (await import('../commands/show.js')).showCommand(target, app)));

  program
    .command('export')
    .description('everything, in a form "import" reads back losslessly')
    .addOption(new Option('--format <format>', 'jsonl or csv').choices(['jsonl', 'csv']).default('jsonl'))
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--product <id>', 'only this product\'s licenses (default: every product)')
    .option('--events', 'the whole history (every event, ids kept): the backup format "import" restores losslessly')
    .addHelpText('after', example('license-admin export --events -o ledger-events.jsonl', 'license-admin export --format csv -o licenses.csv'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/export.js')).exportCommand(opts, app)));

  program
    .command('forget')
    .description('GDPR erasure: remove a person from the licenses and scrub them from the history')
    .requiredOption('--email <email>', "the person's email")
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', example('license-admin forget --email jane@example.com --yes'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/lifecycle.js')).forgetCommand(opts, app)));

  program
    .command('stats')
    .description('counts by tier, product and status, and licenses expiring soon')
    .option('--product <id>', 'only this product (default: every product)')
    .addHelpText('after', example('license-admin stats --json', 'license-admin stats --product studio'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/stats.js')).statsCommand(opts, app)));

  program
    .command('backup <file>')
    .description('a consistent copy of the live ledger (SQLite online backup)')
    .addHelpText('after', example('license-admin backup ~/backups/ledger-$(date +%F).sqlite'))
    .action((file, _opts, cmd) => run(cmd, async (app) => (await import('../commands/backup.js')).backupCommand(file, app)));

  program
    .command('restore <backup>')
    .description('put a backup (from "backup") in place of the ledger; the current one is kept as a copy')
    .option('-y, --yes', 'do not ask for confirmation')
    .addHelpText('after', example('license-admin restore ~/backups/ledger-2026-11-01.sqlite --yes'))
    .action((file, opts, cmd) => run(cmd, async (app) => (await import('../commands/restore.js')).restoreCommand(file, opts, app)));
}
