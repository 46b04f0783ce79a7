import { Option, type Command } from 'commander';
import { example, type Runner } from '../cli.js';

export function registerMailCommands(program: Command, run: Runner): void {
  program
    .command('resend <keyOrEmail>')
    .description("email a person all of their active licenses in one message (a key means that key's owner)")
    .option('--preview', 'print the message instead of sending it')
    .addHelpText('after', example('license-admin resend jane@example.com', 'license-admin resend DT1-PRO-7K2M-9QXH-4TZB-W3NAG --preview'))
    .action((target, opts, cmd) => run(cmd, async (app) => (await import('../commands/resend.js')).resendCommand(target, opts, app)));

  const mail = program
    .command('mail')
    .description('email settings and checks')
    .addHelpText('after', example('license-admin mail test you@example.com'));
  mail
    .command('test <address>')
    .description('send a test message and say exactly what failed (DNS, connection, TLS, login, recipient)')
    .addHelpText('after', example('license-admin mail test me@example.com', 'LICENSE_ADMIN_SMTP_URL="$(cat ~/.config/smtp-url)" license-admin mail test me@example.com --json'))
    .action((address, _opts, cmd) => run(cmd, async (app) => (await import('../commands/mail.js')).mailTestCommand(address, app)));

  const outbox = program
    .command('outbox')
    .description('license emails waiting to be delivered (kept until sent, retried with backoff)')
    .addHelpText('after', example('license-admin outbox list', 'license-admin outbox retry --all'));
  outbox
    .command('list', { isDefault: true })
    .description('pending, sending and failed messages')
    .option('--all', 'also sent and cancelled messages')
    .addHelpText('after', example('license-admin outbox', 'license-admin outbox --json'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/outbox.js')).outboxListCommand(opts, app)));
  outbox
    .command('retry [ids...]')
    .description('send due messages now (or the given ids, or --all: failed and not-yet-due too)')
    .option('--all', 'every pending and failed message, whatever its schedule')
    .addHelpText('after', example('license-admin outbox retry', 'license-admin outbox retry 12 13', 'license-admin outbox retry --all --json'))
    .action((ids, opts, cmd) => run(cmd, async (app) => (await import('../commands/outbox.js')).outboxRetryCommand(ids, opts, app)));

  const config = program.commands.find((c) => c.name() === 'config') ??
    program.command('config').description('change settings in config.json').addHelpText('after', example('license-admin config smtp --host smtp.example.com --port 587 --from licenses@example.com'));
  config
    .command('smtp')
    .description('SMTP settings for license emails (the password goes to the OS keychain, never the config file)')
    .option('--host <host>', 'SMTP server, e.g. smtp.fastmail.com')
    .option('--port <n>', 'port (default: 465 for tls, 587 for starttls, 25 for none)')
    .addOption(new Option('--secure <mode>', 'tls (from the start), starttls (required upgrade), none (local relay only)').choices(['tls', 'starttls', 'none']))
    .option('--user <name>', 'login name')
    .option('--from <address>', 'sender, e.g. "My App <licenses@example.com>"')
    .option('--reply-to <address>', 'where replies go (default: supportEmail)')
    .option('--password-stdin', 'read the password from stdin and store it in the OS keychain')
    .option('--dkim-domain <domain>', 'sign with DKIM for this domain')
    .option('--dkim-selector <selector>', 'DKIM selector (the DNS record <selector>._domainkey.<domain>)')
    .option('--dkim-key <file>', 'DKIM private key (PEM) file, relative to the config directory or absolute')
    .addHelpText('after', example(
      'printf %s "$SMTP_PASS" | license-admin config smtp --host smtp.fastmail.com --secure tls --user me@example.com --from "My App <licenses@example.com>" --password-stdin',
      'license-admin config smtp --json',
    ))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/config-smtp.js')).configSmtpCommand(opts, app)));
}
