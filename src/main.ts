// The entry point: parse argv, run, map errors to exit codes. The only place that exits the process.
import { createProgram } from './cli.js';
import { errorJson, reportError, wantsJson } from './cli/error-report.js';
import { jsonDocumentWritten } from './cli/io.js';
import { color } from './cli/colors.js';
import { terminalSafe } from './cli/terminal-text.js';
import { EXIT } from './errors.js';

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
    const report = reportError(error);
    if (!report) return EXIT.ok;
    // An error message can quote a server's answer or a value from a file: made safe like all human output.
    process.stderr.write(terminalSafe(report.stderr, color.enabled));
    // A command that printed its result and then failed (e.g. resend: the mail is queued, not sent) has
    // given its one document already; the exit code and stderr tell the rest.
    if (wantsJson(argv.slice(2)) && !jsonDocumentWritten()) process.stdout.write(errorJson(report));
    return report.exitCode;
  } finally {
    await program.cleanup();
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
