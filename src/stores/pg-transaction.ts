// One PostgreSQL transaction on a pooled client: BEGIN, an optional advisory lock, COMMIT or ROLLBACK.
import type pg from 'pg';

export async function withPgTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, lockKey?: string): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    if (lockKey) await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [lockKey]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
