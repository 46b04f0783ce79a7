// Every command and subcommand's --help ends with at least one example a creator can copy.
import type { Command } from 'commander';
import { expect, test } from 'vitest';
import { createProgram } from '../src/cli.js';

function allCommands(c: Command, path: string[] = []): { name: string; command: Command }[] {
  return c.commands.flatMap((s) => [{ name: [...path, s.name()].join(' '), command: s }, ...allCommands(s, [...path, s.name()])]);
}

function helpOf(c: Command): string {
  let text = '';
  c.configureOutput({ writeOut: (t) => (text += t), writeErr: (t) => (text += t) });
  c.outputHelp();
  return text;
}

const program = createProgram();
const commands = [{ name: '(the program itself)', command: program as Command }, ...allCommands(program)];

test('the tree has the commands the README lists', () => {
  const names = commands.map((c) => c.name);
  for (const n of ['init', 'mint', 'verify', 'list', 'show', 'import', 'keys rotate', 'remote add', 'serve', 'server retry']) expect(names).toContain(n);
});

test.each(commands.map((c) => [c.name, c.command] as const))('license-admin %s --help has an example', (_name, command) => {
  expect(helpOf(command)).toMatch(/\nExamples?:\n {2}\$ .*license-admin /);
});

// argv is readable by every user of the machine (ps) and lands in shell history: no example may put a
// password, token or database URL with a password there.
test.each(commands.map((c) => [c.name, c.command] as const))('license-admin %s --help puts no secret on the command line', (_name, command) => {
  const examples = helpOf(command).split(/\nExamples?:\n/)[1] ?? '';
  expect(examples).not.toMatch(/:\/\/[^\s/:@"']+:[^\s@"']+@/); // scheme://user:password@
  expect(examples).not.toMatch(/--(enroll-token|password|token|secret)[ =]/);
});
