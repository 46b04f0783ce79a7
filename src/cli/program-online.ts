import type { Command } from 'commander';
import { example, type Runner } from '../cli.js';

export function registerOnlineCommands(program: Command, run: Runner): void {
  const activations = program
    .command('activations')
    .description('the machines holding a license\'s seats (online activations)')
    .addHelpText('after', example('license-admin activations list DT1-PRO-7K2M-9QXH-4TZB-W3NAG', 'license-admin activations reset DT1-PRO-7K2M-9QXH-4TZB-W3NAG'));
  activations
    .command('list <key>')
    .description('the license\'s active machines, oldest first')
    .addHelpText('after', example('license-admin activations list DT1-PRO-7K2M-9QXH-4TZB-W3NAG --json'))
    .action((key, _opts, cmd) => run(cmd, async (app) => (await import('../commands/activations.js')).activationsListCommand(key, app)));
  activations
    .command('reset <key>')
    .description('free every seat of the license (the buyer replaced their machines)')
    .addHelpText('after', example('license-admin activations reset DT1-PRO-7K2M-9QXH-4TZB-W3NAG'))
    .action((key, _opts, cmd) => run(cmd, async (app) => (await import('../commands/activations.js')).activationsResetCommand(key, app)));
  program
    .command('deactivate <key> <activation>')
    .description('free one seat: the activation id from "activations list"')
    .addHelpText('after', example('license-admin deactivate DT1-PRO-7K2M-9QXH-4TZB-W3NAG act_0f3c9a1b2c3d4e5f60718293'))
    .action((key, activation, _opts, cmd) => run(cmd, async (app) => (await import('../commands/activations.js')).deactivateCommand(key, activation, app)));

  program
    .command('revocations')
    .description('the signed revocation list apps check offline')
    .addHelpText('after', example('license-admin revocations export -o revocations.jws'))
    .command('export')
    .description('write the product\'s signed revocation list (refunded, disputed and revoked licenses)')
    .option('-o, --output <file>', 'write it to this file instead of stdout')
    .option('--product <id>', 'which product (when there are several)')
    .addHelpText('after', example('license-admin revocations export -o revocations.jws', 'license-admin revocations export --json'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/revocations.js')).revocationsExportCommand(opts, app)));
}
