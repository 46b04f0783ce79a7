// Secrets never come from the command line: argv is readable by every user of the machine (`ps`,
// /proc/<pid>/cmdline) and lands in shell history. Options that carry one refuse it there and name the
// environment variable or the file/stdin option to use instead.
import type { Command } from 'commander';
import { UsageError, UserError } from '../errors.js';
import { readFileOrStdin } from './read-stdin.js';

/** Was this option typed on the command line (rather than taken from its env var or a default)? */
export function givenOnArgv(cmd: Command, option: string): boolean {
  return cmd.getOptionValueSource(option) === 'cli';
}

export function refuseSecretOnArgv(what: string, alternatives: string): never {
  throw new UsageError(`${what} on the command line is visible to every user of this machine (ps) and kept in shell history; ${alternatives}`);
}

/** A PostgreSQL URL with a password in it is a secret; one without (peer/cert auth, PGPASSWORD) is not. */
export function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return /:[^@/]*@/.test(url);
  }
}

/** The contents of a secret file (or stdin for "-"), without the trailing newline editors add. */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFileOrStdin(path);
  } catch (error) {
    throw new UserError(`cannot read ${what} from ${path === '-' ? 'stdin' : path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (!secret.trim()) throw new UserError(`${path === '-' ? 'stdin' : path} is empty; expected ${what}`);
  return secret;
}
