// The interactive paths, in a real terminal (tmux): init asks its questions and imports an existing key;
// mint asks for what is missing. Everything else in the suite runs without a terminal.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CLI_BIN, runCli, tempHome } from './helpers/cli.js';

const session = `la-tty-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', session);

async function waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = screen();
    if (typeof text === 'string' ? s.includes(text) : text.test(s)) return s;
    if (Date.now() > until) throw new Error(`timed out waiting for ${String(text)}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Answers the nth time the prompt is on screen (a re-asked prompt is still shown above its second asking). */
async function answer(prompt: string, value: string, nth = 1): Promise<void> {
  await waitFor(new RegExp(`(?:[\\s\\S]*${prompt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}){${nth}}`));
  if (value) tmux('send-keys', '-t', session, '-l', value);
  tmux('send-keys', '-t', session, 'Enter');
}

function start(home: string, args: string[]): void {
  const env = `LICENSE_ADMIN_HOME=${home} LICENSE_ADMIN_KEY_PASSPHRASE=tty-passphrase NO_COLOR=1`;
  tmux('kill-session', '-t', session, ';', 'new-session', '-d', '-s', session, '-x', '160', '-y', '50');
  tmux('send-keys', '-t', session, '-l', `unset CI; ${env} node ${CLI_BIN} ${args.join(' ')}; echo EXIT=$?`);
  tmux('send-keys', '-t', session, 'Enter');
}

afterAll(() => {
  try {
    tmux('kill-session', '-t', session);
  } catch {
    // already gone
  }
});

test('init asks its questions and imports the existing key; mint asks for tier, email and name', async () => {
  try {
    tmux('new-session', '-d', '-s', session);
  } catch {
    // exists
  }
  const home = await tempHome();
  const keyFile = join(home, 'existing.hex');
  writeFileSync(keyFile, '44'.repeat(32));
  start(home, ['init', '--key-storage', 'file']);
  await answer('Product id', 'datatools');
  await answer('Product name', 'Data Tools');
  await answer('License key prefix', 'DT9');
  await answer('Tiers', 'basic,pro');
  await answer('Default duration', '2');
  await answer('Tag in front of blobs', 'DTLIC3');
  await answer('existing private key', keyFile);
  const done = await waitFor(/EXIT=\d+/);
  expect(done).toContain('EXIT=0');
  expect(done).toMatch(/Imported signing key/);
  const config = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));
  expect(config).toMatchObject({ product: 'datatools', productName: 'Data Tools', prefix: 'DT9', tiers: ['basic', 'pro'], defaultYears: 2, blobTag: 'DTLIC3', keyStorage: 'file' });

  start(home, ['mint']);
  await waitFor('Tier');
  tmux('send-keys', '-t', session, 'Enter'); // the default: pro
  await answer("Buyer's email", 'tty@example.com');
  await answer("Buyer's name", 'Tee Tee');
  const minted = await waitFor(/EXIT=\d+/);
  expect(minted, minted).toContain('EXIT=0');
  expect(minted, minted).toMatch(/Minted pro license for tty@example\.com/);
  expect(minted).toMatch(/License key: DT9-PRO-/);
}, 60_000);

test('init asks where the key lives first, re-asks bad answers, asks a new passphrase twice; Ctrl-C is a cancel', async () => {
  const home = await tempHome();
  const startBare = (args: string[]) => {
    tmux('kill-session', '-t', session, ';', 'new-session', '-d', '-s', session, '-x', '160', '-y', '50');
    tmux('send-keys', '-t', session, '-l', `unset CI; LICENSE_ADMIN_HOME=${home} NO_COLOR=1 node ${CLI_BIN} ${args.join(' ')}; echo EXIT=$?`);
    tmux('send-keys', '-t', session, 'Enter');
  };
  startBare(['init']);
  await waitFor('Where should the private signing key live?');
  tmux('send-keys', '-t', session, 'Down', 'Enter'); // keychain -> file
  await answer('Product id', 'not a valid id!');
  await waitFor('product must be 1-64 letters');
  for (let i = 0; i < 20; i++) tmux('send-keys', '-t', session, 'BSpace'); // clear the bad answer
  await answer('Product id', 'asked');
  await answer('Product name', '');
  await answer('License key prefix', '');
  await answer('Tiers', '');
  await answer('Default duration', 'forever');
  await waitFor('defaultYears must be a whole number');
  for (let i = 0; i < 10; i++) tmux('send-keys', '-t', session, 'BSpace');
  await answer('Default duration', '3');
  await answer('Tag in front of blobs', '');
  await answer('existing private key', '');
  await answer('New passphrase', 'short');
  await waitFor('at least 8 characters');
  for (let i = 0; i < 10; i++) tmux('send-keys', '-t', session, 'BSpace');
  await answer('New passphrase', 'first-long-one');
  await answer('The same again', 'different-one');
  await waitFor('did not match');
  await answer('New passphrase', 'second-long-one', 2);
  await answer('The same again', 'second-long-one', 2);
  const done = await waitFor(/EXIT=\d+/);
  expect(done, done).toContain('EXIT=0');
  expect(JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'))).toMatchObject({ product: 'asked', defaultYears: 3, keyStorage: 'file' });
  const env = { LICENSE_ADMIN_HOME: home };
  const minted = await runCli(['mint', '--tier', 'pro', '--email', 'pw@example.com'], { home, env: { ...env, LICENSE_ADMIN_KEY_PASSPHRASE: 'second-long-one' } });
  expect(minted.exitCode, minted.stderr).toBe(0);
  const wrong = await runCli(['mint', '--tier', 'pro', '--email', 'pw@example.com'], { home, env: { ...env, LICENSE_ADMIN_KEY_PASSPHRASE: 'first-long-one' } });
  expect(wrong.exitCode).toBe(1);

  const home2 = await tempHome();
  tmux('kill-session', '-t', session, ';', 'new-session', '-d', '-s', session, '-x', '160', '-y', '50');
  tmux('send-keys', '-t', session, '-l', `unset CI; LICENSE_ADMIN_HOME=${home2} NO_COLOR=1 node ${CLI_BIN} init; echo EXIT=$?`);
  tmux('send-keys', '-t', session, 'Enter');
  await waitFor('Where should the private signing key live?');
  tmux('send-keys', '-t', session, 'C-c');
  const cancelled = await waitFor(/EXIT=\d+/);
  expect(cancelled, cancelled).toContain('EXIT=130');
  expect(cancelled).toMatch(/cancelled/);
  expect(cancelled).not.toMatch(/bug|at .*\.js:\d+/);
  expect(existsSync(join(home2, 'config.json'))).toBe(false);
}, 90_000);
