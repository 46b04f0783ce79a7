// Shared setup for the import / reconcile e2e tests: an initialised HOME whose signing key signed the fixtures.
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT, runCli, tempHome, type CliResult } from './helpers/cli.js';

/** RFC 8032 test vector 1 (public knowledge): the key fixtures/import/make-fixtures.mjs signed with. */
export const FIXTURE_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
export const FIXTURES = join(REPO_ROOT, 'fixtures', 'import');
export const NOW = '2025-01-15T00:00:00.000Z';

export interface Home {
  home: string;
  cli(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  ledgerFile: string;
  count(table: 'licenses' | 'events'): number;
  setProductMap(map: unknown[]): void;
}

export async function initHome(): Promise<Home> {
  const home = await tempHome();
  const env = { LICENSE_ADMIN_PRIVATE_KEY: FIXTURE_SEED, LICENSE_ADMIN_NOW: NOW };
  const cli = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { home, env: { ...env, ...extraEnv } });
  const init = await cli(['init', '--yes', '--product', 'datatools', '--prefix', 'DT1', '--tiers', 'lite,core,pro,enterprise', '--json']);
  expect(init.exitCode, init.stderr).toBe(0);
  const ledgerFile = join(home, '.license-admin', 'ledger.sqlite');
  const configFile = join(home, '.license-admin', 'config.json');
  return {
    home, cli, ledgerFile,
    count(table) {
      const db = new Database(ledgerFile, { readonly: true });
      try {
        return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    setProductMap(map) {
      const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(configFile, JSON.stringify({ ...config, productMap: map }, null, 2));
    },
  };
}

export const PRODUCT_MAP = [
  { provider: 'gumroad', match: 'dtools', variant: 'Lite', tier: 'lite', years: 1 },
  { provider: 'gumroad', match: 'Data Tools', tier: 'pro', years: 2 },
];
