import { Option, type Command } from 'commander';
import { example, type Runner } from '../cli.js';

export function registerSyncCommands(program: Command, run: Runner): void {
  const remote = program
    .command('remote')
    .description('the license server this CLI syncs and mints with')
    .addHelpText('after', example('license-admin remote add https://licenses.example.com', 'license-admin remote status'));
  remote
    .command('add <url>')
    .description('register the server and create this CLI\'s admin key (private half in the keychain)')
    .option('--enroll-token-file <file>', "a file holding the server's enrolment token (\"-\" for stdin): register the admin key right away; or set LICENSE_ADMIN_ENROLL_TOKEN")
    .addOption(new Option('--enroll-token <token>').hideHelp()) // refused: a token on argv shows in ps
    .addOption(new Option('--mode <mode>', 'how mint behaves: through the server first, or local only').choices(['remote-first', 'local']))
    .addHelpText('after', example('license-admin remote add https://licenses.example.com', 'license-admin remote add https://licenses.example.com --enroll-token-file ~/enroll-token.txt'))
    .action((url, opts, cmd) => run(cmd, async (app) => (await import('../commands/remote.js')).remoteAddCommand(url, opts, app)));
  remote
    .command('status')
    .description('what is not yet pushed here and not yet pulled from the server')
    .addHelpText('after', example('license-admin remote status --json'))
    .action((_opts, cmd) => run(cmd, async (app) => (await import('../commands/remote.js')).remoteStatusCommand(app)));
  remote
    .command('remove')
    .description('forget the server (local licenses stay) and delete its admin key from the keychain')
    .addHelpText('after', example('license-admin remote remove'))
    .action((_opts, cmd) => run(cmd, async (app) => (await import('../commands/remote.js')).remoteRemoveCommand(app)));

  program
    .command('push')
    .description('send local events the server does not have (idempotent, resumable)')
    .addHelpText('after', example('license-admin push', 'license-admin push --json'))
    .action((_opts, cmd) => run(cmd, async (app) => (await import('../commands/sync.js')).pushCommand(app)));
  program
    .command('pull')
    .description('bring in what the server did (webhook mints, refunds, renewals)')
    .addHelpText('after', example('license-admin pull --json'))
    .action((_opts, cmd) => run(cmd, async (app) => (await import('../commands/sync.js')).pullCommand(app)));
  program
    .command('sync')
    .description('pull, then push: both sides end with the same record')
    .addHelpText('after', example('license-admin sync'))
    .action((_opts, cmd) => run(cmd, async (app) => (await import('../commands/sync.js')).syncCommand(app)));
}
