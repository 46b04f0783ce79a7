import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { example, type Runner } from '../cli.js';
import { givenOnArgv, readSecretFile, refuseSecretOnArgv, urlHasPassword } from './argv-secrets.js';

const withDatabaseUrl = (c: Command) =>
  c
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (default: the SQLite ledger); a password only through DATABASE_URL or --database-url-file').env('DATABASE_URL'))
    .option('--database-url-file <file>', 'read the PostgreSQL URL from this file ("-" for stdin)');

interface DatabaseUrlFlags {
  databaseUrl?: string;
  databaseUrlFile?: string;
}

async function databaseUrlOf(opts: DatabaseUrlFlags, cmd: Command): Promise<{ databaseUrl?: string }> {
  if (opts.databaseUrlFile) {
    if (opts.databaseUrl && givenOnArgv(cmd, 'databaseUrl')) throw new UsageError('give --database-url or --database-url-file, not both');
    return { databaseUrl: await readSecretFile(opts.databaseUrlFile, 'a PostgreSQL URL') };
  }
  if (opts.databaseUrl && givenOnArgv(cmd, 'databaseUrl') && urlHasPassword(opts.databaseUrl)) {
    refuseSecretOnArgv('a database password', 'put the URL in DATABASE_URL or in a file for --database-url-file (mode 0600), or leave the password out of the URL and set PGPASSWORD');
  }
  return opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {};
}

export function registerServerCommands(program: Command, run: Runner): void {
  withDatabaseUrl(program.command('serve'))
    .description('run the license server: payment webhooks, the admin API, the mail outbox (SQLite ledger or PostgreSQL)')
    .addOption(new Option('--port <n>', 'port for webhooks and health (default 8787)').env('PORT'))
    .addOption(new Option('--host <address>', 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)').env('HOST'))
    .option('--admin-port <n>', 'serve /internal and /sync on this port only (default: the same listener)')
    .option('--admin-host <address>', 'address for the admin listener (default 127.0.0.1)')
    .addHelpText('after', example('license-admin serve --port 8787', 'DATABASE_URL="$(cat /run/secrets/db-url)" license-admin serve --host 0.0.0.0 --admin-port 8788'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/serve.js')).serveCommand({ ...opts, ...(await databaseUrlOf(opts, cmd)) }, app)));

  withDatabaseUrl(program.command('reminders'))
    .description('renewal reminders (docs/PORTAL.md): with --dry-run, who the server would remind now')
    .option('--dry-run', 'show who would get a reminder; send nothing')
    .addHelpText('after', example('license-admin reminders --dry-run', 'license-admin reminders --dry-run --json'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/reminders.js')).remindersCommand({ ...opts, ...(await databaseUrlOf(opts, cmd)) }, app)));

  const server = program
    .command('server')
    .description('server administration')
    .addHelpText('after', example('license-admin server events --failed', 'license-admin server retry --order gumroad:ABC123'));
  withDatabaseUrl(server.command('trust-admin <publicKey>'))
    .description("let an admin key (printed by \"remote add\") call the server's admin and sync API")
    .option('--label <text>', 'who this key belongs to')
    .addHelpText('after', example('license-admin server trust-admin 3q2-7wQ... --label "alice laptop"'))
    .action((key, opts, cmd) => run(cmd, async (app) => (await import('../commands/server-trust-admin.js')).trustAdminCommand(key, { ...opts, ...(await databaseUrlOf(opts, cmd)) }, app)));

  withDatabaseUrl(server.command('events'))
    .description('the payment-event audit trail: what each webhook delivered and what became of it')
    .option('--failed', 'only events whose processing failed')
    .option('--order <ref>', 'only this order, e.g. gumroad:ABC123')
    .option('--limit <n>', 'at most N, oldest first (default 100)')
    .addHelpText('after', example('license-admin server events --failed'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/server-events.js')).serverEventsCommand({ ...opts, ...(await databaseUrlOf(opts, cmd)) }, app)));

  withDatabaseUrl(server.command('retry'))
    .description('put failed payment events back in the queue after fixing the cause (e.g. a missing product mapping)')
    .option('--order <ref>', 'only this order')
    .addHelpText('after', example('license-admin server retry --order gumroad:ABC123'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/server-events.js')).serverRetryCommand({ ...opts, ...(await databaseUrlOf(opts, cmd)) }, app)));
}
