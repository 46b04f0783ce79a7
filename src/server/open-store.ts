// DATABASE_URL (or --database-url) selects PostgreSQL; otherwise the SQLite ledger the CLI uses.
import { UserError } from '../errors.js';
import type { ServerStore } from '../stores/store.js';

export interface StoreChoice {
  databaseUrl?: string | undefined;
  ledgerFile: string;
  random: (n: number) => Uint8Array;
}

export async function openStore(choice: StoreChoice): Promise<ServerStore> {
  const url = choice.databaseUrl?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new UserError('DATABASE_URL / --database-url must be a postgres:// URL (leave it unset to use the SQLite ledger)');
    const { PostgresStore } = await import('../stores/postgres-store.js');
    const store = PostgresStore.connect(url, { random: choice.random });
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw new UserError(`cannot use the PostgreSQL database at ${store.description}: ${(error as Error).message}`);
    }
    return store;
  }
  const { SqliteStore } = await import('../stores/sqlite-store.js');
  return SqliteStore.open(choice.ledgerFile, { random: choice.random });
}
