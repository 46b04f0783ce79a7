// The commander tree. Definitions only: every action lazy-loads its command module, so `--version`
// and `--help` stay as fast as a bare Node start.
import { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import type { AppContext, GlobalOptions } from './cli/app-context.js';
import { registerCoreCommands } from './cli/program-core.js';
import { registerKeysCommands } from './cli/program-keys.js';
import { registerImportCommands } from './cli/program-import.js';
import { registerMailCommands } from './cli/program-mail.js';
import { registerServerCommands } from './cli/program-server.js';
import { registerSyncCommands } from './cli/program-sync.js';
import { registerFormatCommands } from './cli/program-format.js';
import { registerConfigCommands } from './cli/program-config.js';
import { registerOnlineCommands } from './cli/program-online.js';

export type Runner = (command: Command, fn: (app: AppContext) => Promise<void>) => Promise<void>;

export interface Program extends Command {
  cleanup(): Promise<void>;
}

export function createProgram(): Program {
  const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
  const program = new Command('license-admin') as Program;
  let app: AppContext | undefined;
  program
    .description('Mint, track, email and verify signed offline licenses for your desktop app.')
    .version(version, '-V, --version')
    .addOption(new Option('--json', 'print one JSON document on stdout (for scripts)'))
    .addOption(new Option('--ledger <path>', 'the ledger file (default: under LICENSE_ADMIN_HOME or the data dir)').env('LICENSE_ADMIN_LEDGER'))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', example('license-admin init', 'license-admin mint --tier pro --email jane@example.com --name "Jane Doe"', 'license-admin show jane@example.com', 'license-admin mint --help   # every command has its own help, with examples'))
    .exitOverride();
  const run: Runner = async (command, fn) => {
    const { createAppContext } = await import('./cli/app-context.js');
    app = createAppContext(command.optsWithGlobals() as GlobalOptions);
    await fn(app);
  };
  registerCoreCommands(program, run);
  registerKeysCommands(program, run);
  registerImportCommands(program, run);
  registerMailCommands(program, run);
  registerConfigCommands(program, run);
  registerServerCommands(program, run);
  registerSyncCommands(program, run);
  registerFormatCommands(program, run);
  registerOnlineCommands(program, run);
  const override = (c: Command): void => c.commands.forEach((sub) => (sub.exitOverride(), override(sub)));
  override(program);
  program.cleanup = async () => app?.close();
  return program;
}

export function example(...lines: string[]): string {
  return `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
