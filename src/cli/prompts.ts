// The one wrapper around interactive prompts, so commands never import @inquirer directly and never
// prompt when not interactive: they name the missing flag instead.
import { UserError } from '../errors.js';
import { isInteractive } from './io.js';

export interface Prompts {
  interactive: boolean;
  input(message: string, options?: { default?: string; validate?: (v: string) => true | string }): Promise<string>;
  select<T extends string>(message: string, choices: T[], defaultValue?: T): Promise<T>;
  confirm(message: string, defaultValue?: boolean): Promise<boolean>;
  password(message: string): Promise<string>;
  /** A new secret: asked twice (re-asked until both match), each answer checked by validate. */
  newPassword(message: string, validate: (v: string) => true | string): Promise<string>;
}

export const PASSPHRASE_MIN_LENGTH = 8;

export function checkNewPassphrase(v: string): true | string {
  return v.length >= PASSPHRASE_MIN_LENGTH ? true : `at least ${PASSPHRASE_MIN_LENGTH} characters, please`;
}

export function createPrompts(env: Record<string, string | undefined> = process.env): Prompts {
  const interactive = isInteractive(env);
  const inquirer = () => import('@inquirer/prompts');
  return {
    interactive,
    async input(message, options = {}) {
      const { input } = await inquirer();
      return input({ message, ...(options.default !== undefined ? { default: options.default } : {}), ...(options.validate ? { validate: options.validate } : {}) });
    },
    async select(message, choices, defaultValue) {
      const { select } = await inquirer();
      return select({ message, choices: choices.map((value) => ({ value, name: value })), ...(defaultValue ? { default: defaultValue } : {}) });
    },
    async confirm(message, defaultValue = false) {
      const { confirm } = await inquirer();
      return confirm({ message, default: defaultValue });
    },
    async password(message) {
      const { password } = await inquirer();
      return password({ message, mask: '*' });
    },
    async newPassword(message, validate) {
      const { password } = await inquirer();
      for (;;) {
        const first = await password({ message, mask: '*', validate });
        const second = await password({ message: 'The same again, to be sure', mask: '*' });
        if (first === second) return first;
        process.stderr.write('The two did not match; once more.\n');
      }
    },
  };
}

/** Returns the value, asks for it when interactive, or fails naming the flag. */
export async function requireValue(
  prompts: Prompts,
  value: string | undefined,
  flag: string,
  ask: () => Promise<string>,
): Promise<string> {
  if (value !== undefined && value !== '') return value;
  if (!prompts.interactive) throw new UserError(`missing ${flag} (not asking because stdin is not a terminal)`, { exitCode: 2 });
  return ask();
}
