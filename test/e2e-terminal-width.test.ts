// Tables fit the terminal they are shown in (a real one: tmux, 100 columns): long emails, names, history
// details and mail errors are cut with "…", keys and dates never; piped, every value is kept whole.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CLI_BIN, runCli, tempHome } from './helpers/cli.js';

const session = `la-width-${process.pid}`;
const WIDTH = 100;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });

afterAll(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
});

let runs = 0;

/** Runs the CLI in a WIDTH-column terminal; the screen with wrapped lines joined back (-J), so an overflow shows as a long line. */
async function inTerminal(home: string, env: Record<string, string>, args: string[]): Promise<string> {
  try {
    tmux('has-session', '-t', session);
  } catch {
    tmux('new-session', '-d', '-s', session, '-x', String(WIDTH), '-y', '60');
  }
  const done = `EXIT-${++runs}=`;
  const vars = Object.entries({ ...env, LICENSE_ADMIN_HOME: join(home, '.license-admin'), HOME: home, NO_COLOR: '1' }).map(([k, v]) => `${k}='${v}'`).join(' ');
  tmux('send-keys', '-t', session, '-l', `clear; unset CI; ${vars} node ${CLI_BIN} ${args.join(' ')}; echo ${done}$?`);
  tmux('send-keys', '-t', session, 'Enter');
  const until = Date.now() + 20_000;
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-J', '-t', session);
    const exit = new RegExp(`^${done}(\\d+)`, 'm').exec(screen);
    if (exit) return `${screen}\nEXIT=${exit[1]}`;
    if (Date.now() > until) throw new Error(`timed out; screen:\n${screen}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function expectFits(screen: string): void {
  const tableLines = screen.split('\n').filter((l) => /^[┌├│└]/.test(l));
  expect(tableLines.length, screen).toBeGreaterThan(2);
  for (const line of tableLines) {
    expect([...line.trimEnd()].length, `${line}\n--- screen ---\n${screen}`).toBeLessThanOrEqual(WIDTH);
    expect(line.trimEnd(), screen).toMatch(/[┐┤│┘]$/);
  }
}

test('list, show and outbox fit a 100-column terminal; piped output keeps every value whole', async () => {
  const home = await tempHome();
  const env = { LICENSE_ADMIN_PRIVATE_KEY: '7c'.repeat(32) };
  expect((await runCli(['init', '--yes', '--product', 'wide'], { home, env })).exitCode).toBe(0);
  const email = `${'a-very-long-mailbox-name'.repeat(3)}@an-equally-long-domain-name.example.com`;
  const name = 'Bartholomew Maximilian Featherstonehaugh-Cholmondeley the Third';
  const minted = await runCli(['mint', '--tier', 'pro', '--email', email, '--name', name, '--send', '--json'], {
    home, env: { ...env, LICENSE_ADMIN_SMTP_URL: 'smtp://127.0.0.1:9' },
  });
  expect(minted.exitCode, minted.stderr).toBe(0);
  const key = minted.json().licenseKey as string;
  const note = 'the buyer asked for an invoice with the company name and VAT number on it, sent by hand on Monday';
  expect((await runCli(['note', key, note], { home, env })).exitCode).toBe(0);

  const list = await inTerminal(home, env, ['list']);
  expect(list).toContain('EXIT=0');
  expectFits(list);
  expect(list).toContain(key);
  expect(list).toContain('…');

  const show = await inTerminal(home, env, ['show', key]);
  expect(show).toContain('EXIT=0');
  expectFits(show);
  expect(show).toContain('…');

  const outbox = await inTerminal(home, env, ['outbox']);
  expect(outbox).toContain('EXIT=0');
  expectFits(outbox);
  expect(outbox).toMatch(/│ connection refu\S*…/);

  // Not a terminal: nothing is cut.
  const piped = await runCli(['list'], { home, env });
  expect(piped.stdout).toContain(email);
  expect(piped.stdout).toContain(name);
  expect(piped.stdout).not.toContain('…');
  const pipedShow = await runCli(['show', key], { home, env });
  expect(pipedShow.stdout).toContain(note);
}, 90_000);

test('colour goes to a terminal only: "list > file" typed in a terminal writes no escape codes into the file', async () => {
  const home = await tempHome();
  const env = { LICENSE_ADMIN_PRIVATE_KEY: '7d'.repeat(32) };
  expect((await runCli(['init', '--yes', '--product', 'colours'], { home, env })).exitCode).toBe(0);
  expect((await runCli(['mint', '--tier', 'pro', '--email', 'c@example.com'], { home, env })).exitCode).toBe(0);
  const file = join(home, 'out.txt');
  try {
    tmux('has-session', '-t', session);
  } catch {
    tmux('new-session', '-d', '-s', session, '-x', String(WIDTH), '-y', '60');
  }
  const vars = Object.entries({ ...env, LICENSE_ADMIN_HOME: join(home, '.license-admin'), HOME: home, TERM: 'xterm-256color' }).map(([k, v]) => `${k}='${v}'`).join(' ');
  const done = `EXIT-${++runs}=`;
  tmux('send-keys', '-t', session, '-l', `clear; unset CI NO_COLOR FORCE_COLOR; ${vars} node ${CLI_BIN} list > ${file}; ${vars} node ${CLI_BIN} list; echo ${done}$?`);
  tmux('send-keys', '-t', session, 'Enter');
  const until = Date.now() + 20_000;
  let screen = '';
  while (!screen.includes(done)) {
    if (Date.now() > until) throw new Error(`timed out; screen:\n${screen}`);
    await new Promise((r) => setTimeout(r, 100));
    screen = tmux('capture-pane', '-p', '-e', '-t', session);
  }
  const written = readFileSync(file, 'utf8');
  expect(written).toContain('c@example.com');
  expect(written).not.toContain('\u001b');
  expect(screen).toMatch(/\u001b\[[0-9;]*m/); // the same table on the terminal is coloured
});
