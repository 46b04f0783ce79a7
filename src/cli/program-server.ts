import { Option, type Command } from 'commander';
import { example, type Runner } from '../cli.js';

export function registerServerCommands(program: Command, run: Runner): void {
  program
    .command('serve')
    .description('run the license server: payment webhooks, the admin API, the mail outbox (SQLite ledger or PostgreSQL)')
    .addOption(new Option('--port <n>', 'port for webhooks and health (default 8787)').env('PORT'))
    .addOption(new Option('--host <address>', 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)').env('HOST'))
    .option('--admin-port <n>', 'serve /internal and /sync on this port only (default: the same listener)')
    .option('--admin-host <address>', 'address for the admin listener (default 127.0.0.1)')
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (default: the SQLite ledger)').env('DATABASE_URL'))
    .addHelpText('after', example('license-admin serve --port 8787', 'DATABASE_URL=postgres://app@db/licenses license-admin serve --host 0.0.0.0 --admin-port 8788'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/serve.js')).serveCommand(opts, app)));

  const server = program.command('server').description('server administration');
  server
    .command('trust-admin <publicKey>')
    .description("let an admin key (printed by \"remote add\") call the server's admin and sync API")
    .option('--label <text>', 'who this key belongs to')
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (default: the SQLite ledger)').env('DATABASE_URL'))
    .addHelpText('after', example('license-admin server trust-admin 3q2-7wQ... --label "alice laptop"'))
    .action((key, opts, cmd) => run(cmd, async (app) => (await import('../commands/serve.js')).trustAdminCommand(key, opts, app)));

  server
    .command('events')
    .description('the payment-event audit trail: what each webhook delivered and what became of it')
    .option('--failed', 'only events whose processing failed')
    .option('--order <ref>', 'only this order, e.g. gumroad:ABC123')
    .option('--limit <n>', 'at most N, oldest first (default 100)')
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (default: the SQLite ledger)').env('DATABASE_URL'))
    .addHelpText('after', example('license-admin server events --failed'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/server-events.js')).serverEventsCommand(opts, app)));

  server
    .command('retry')
    .description('put failed payment events back in the queue after fixing the cause (e.g. a missing product mapping)')
    .option('--order <ref>', 'only this order')
    .addOption(new Option('--database-url <url>', 'PostgreSQL URL (default: the SQLite ledger)').env('DATABASE_URL'))
    .addHelpText('after', example('license-admin server retry --order gumroad:ABC123'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/server-events.js')).serverRetryCommand(opts, app)));
}
