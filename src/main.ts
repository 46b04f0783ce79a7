// The entry point: parse argv, run, map errors to exit codes. The only place that exits the process.
import { CommanderError } from 'commander';
import { createProgram } from './cli.js';
import { asUserError } from './cli/system-errors.js';
import { UserError, EXIT } from './errors.js';

// `license-admin show … | head -1`: the reader went away; that is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    const userError = error instanceof UserError ? error : asUserError(error);
    if (userError) {
      process.stderr.write(`error: ${userError.message}\n`);
      return userError.exitCode;
    }
    const e = error as Error;
    process.stderr.write(`${e?.stack ?? String(error)}\n\nThis is a bug in license-admin. Please report it with the command you ran (never include keys or secrets).\n`);
    return EXIT.bug;
  } finally {
    await program.cleanup();
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
