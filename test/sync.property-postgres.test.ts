// The convergence property against the PostgreSQL store (batched unnest apply): a few hundred cases, one
// throwaway cluster, tables emptied between cases.
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { PostgresStore } from '../src/stores/postgres-store.js';
import { pgRowToEvent, pgRowToLicense } from '../src/stores/pg-events.js';
import { opArb, runCase, type ServerSide } from './helpers/sync-case.js';
import { startPostgres, type PostgresInstance } from './helpers/postgres.js';

let postgres: PostgresInstance;
let store: PostgresStore;
let db: pg.Client;

beforeAll(async () => {
  postgres = await startPostgres();
  store = PostgresStore.connect(postgres.url, { random: (n) => randomBytes(n), max: 4 });
  await store.migrate();
  db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await store?.close();
  await postgres?.stop();
});

async function postgresSide(): Promise<ServerSide> {
  await db.query('TRUNCATE events, licenses RESTART IDENTITY');
  return {
    store,
    events: async () =>
      (await db.query('SELECT seq, id, license_key, type, at, actor, source, data::text AS data FROM events ORDER BY id')).rows
        .map(pgRowToEvent)
        .map(({ seq: _seq, ...e }) => e),
    licenses: async () => (await db.query('SELECT * FROM licenses ORDER BY license_key')).rows.map(pgRowToLicense),
    close: async () => undefined,
  };
}

describe('sync convergence against PostgresStore (property)', () => {
  it('a CLI ledger and a PostgreSQL server store end identical after a final sync', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30 }), async (ops) => runCase(ops, await postgresSide())), { numRuns: 200 });
  }, 300_000);
});
