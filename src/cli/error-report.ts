// What a failed command says: the message on stderr for people and, with --json, one error object on
// stdout for scripts — `{ "error": { "code", "message" } }` — with the same exit code either way. Pure.
import { CommanderError } from 'commander';
import { EXIT, UserError, type ErrorCode } from '../errors.js';
import { asUserError } from './system-errors.js';

export interface ErrorReport {
  exitCode: number;
  code: ErrorCode;
  message: string;
  /** What to write on stderr ('' when commander already printed it). */
  stderr: string;
}

/** --json anywhere before a bare `--` (commander may not have parsed it when parsing failed). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

export function reportError(error: unknown): ErrorReport | null {
  if (error instanceof CommanderError) {
    // commander.help with exit 1: a group (or the program) run without a subcommand; the help is on stderr.
    if (error.code === 'commander.help' && error.exitCode !== 0) return { exitCode: EXIT.usage, code: 'usage', message: 'missing command (the commands are listed in --help)', stderr: 'error: missing command\n' };
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return null;
    return { exitCode: EXIT.usage, code: 'usage', message: error.message.replace(/^error: /, ''), stderr: '' };
  }
  // @inquirer/prompts throws ExitPromptError on Ctrl-C (or when the terminal goes away).
  if ((error as Error)?.name === 'ExitPromptError' || (error as Error)?.name === 'AbortPromptError') {
    return { exitCode: EXIT.cancelled, code: 'cancelled', message: 'cancelled', stderr: 'cancelled\n' };
  }
  const userError = error instanceof UserError ? error : asUserError(error);
  if (userError) return { exitCode: userError.exitCode, code: userError.code, message: userError.message, stderr: `error: ${userError.message}\n` };
  const e = error as Error;
  return {
    exitCode: EXIT.bug,
    code: 'internal',
    message: `internal error: ${e?.message ?? String(error)} (a bug in license-admin; the stack is on stderr)`,
    stderr: `${e?.stack ?? String(error)}\n\nThis is a bug in license-admin. Please report it with the command you ran (never include keys or secrets).\n`,
  };
}

export function errorJson(report: ErrorReport): string {
  return `${JSON.stringify({ error: { code: report.code, message: report.message } }, null, 2)}\n`;
}
