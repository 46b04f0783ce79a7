import type { Command } from 'commander';
import { example, type Runner } from '../cli.js';

export function registerFormatCommands(program: Command, run: Runner): void {
  program
    .command('migrate-format')
    .description('re-sign active licenses in another blob format (same keys, same expiry), for the day a build that reads it ships')
    .requiredOption('--to <jws|plugin>', 'the target format: "jws" or the path of a format plugin module')
    .option('--dry-run', 'list the licenses that would be re-signed; write nothing')
    .option('--send', 'email each buyer their re-signed license (queued in the same transaction)')
    .addHelpText('after', example('license-admin migrate-format --to jws --dry-run', 'license-admin migrate-format --to jws --send'))
    .action((opts, cmd) => run(cmd, async (app) => (await import('../commands/migrate-format.js')).migrateFormatCommand(opts, app)));
}
