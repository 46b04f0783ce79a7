import { Option, type Command } from 'commander';
import { example, type Runner } from '../cli.js';

export function registerImportCommands(program: Command, run: Runner): void {
  program
    .command('import <files...>')
    .description('bring in the legacy JSONL log, a license-admin export (--events backups included), or Gumroad sales CSVs (one transaction, re-runnable)')
    .addOption(new Option('--format <format>', 'force the file kind instead of detecting it').choices(['jsonl', 'csv', 'gumroad-csv', 'events']))
    .option('--product <id>', 'which product the rows are of (needed when there are several)')
    .option('--dry-run', 'show the plan; write nothing')
    .option('--strict', 'stop at the first bad row (nothing is written)')
    .option('--mint-missing', 'mint licenses for Gumroad sales that have none (tier from config productMap)')
    .addOption(new Option('--from <start>', 'with --mint-missing: count the expiry from the purchase date (default) or from now').choices(['purchase', 'now']))
    .option('--send', 'with --mint-missing: email each license minted (queued in the outbox in the same transaction)')
    .option('--revoke-refunded', 'revoke active licenses of fully refunded / dispute-lost Gumroad sales')
    .addHelpText('after', example('license-admin import ~/.datatools-creator/issued.jsonl --dry-run', 'license-admin import sales.csv --mint-missing --revoke-refunded --json',
      'license-admin import sales.csv --mint-missing --from now --send'))
    .action((files, opts, cmd) => run(cmd, async (app) => (await import('../commands/import.js')).importCommand(files, opts, app)));

  program
    .command('reconcile <salesCsv>')
    .description('match a Gumroad sales CSV against the ledger: sales without a license, refunds with an active one (writes nothing)')
    .addHelpText('after', example('license-admin reconcile sales.csv', 'license-admin reconcile sales.csv --json'))
    .option('--product <id>', 'which product the sales are of (needed when there are several)')
    .action((file, opts, cmd) => run(cmd, async (app) => (await import('../commands/reconcile.js')).reconcileCommand(file, opts, app)));
}
