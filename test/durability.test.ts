// Issue 13 #12: a commit that precedes a promise to the outside (a 2xx to a payment provider, a license
// printed or mailed) must survive a power cut, so every connection that makes one runs synchronous = FULL.
// A real power cut cannot be staged in a test; what is checked is the setting on the real connections the
// CLI, the server and the spool use (PRAGMA synchronous: 1 = NORMAL, 2 = FULL).
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { Ledger } from '../src/ledger/ledger.js';
import { DeliverySpool } from '../src/stores/delivery-spool.js';
import { GroupCommit } from '../src/stores/group-commit.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';

const FULL = 2;
const synchronous = (db: Database.Database) => db.pragma('synchronous', { simple: true });

describe('durable commits', () => {
  test('the CLI\'s ledger connection, the server\'s store and the delivery spool all commit with synchronous = FULL', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'la-durable-')), 'ledger.sqlite');
    const ledger = new Ledger(file);
    expect(synchronous(ledger.db)).toBe(FULL);
    expect(ledger.db.pragma('journal_mode', { simple: true })).toBe('wal');
    ledger.close();

    const store = SqliteStore.open(file, { random: randomBytes });
    expect(synchronous(store.ledger.db)).toBe(FULL);
    await store.close();

    const spool = DeliverySpool.open(file, true)!;
    expect(synchronous(spool.db)).toBe(FULL);
    spool.close();
  });
});

describe('group commit: deliveries that arrive together share one durable commit', () => {
  test('items added in one turn are committed in one call, in order; later ones in the next', async () => {
    const commits: number[][] = [];
    const group = new GroupCommit(async (items: number[]) => {
      commits.push(items);
      return items.map((i) => i * 10);
    });
    const first = await Promise.all([1, 2, 3].map((i) => group.add(i)));
    const second = await group.add(4);
    expect(first).toEqual([10, 20, 30]);
    expect(second).toBe(40);
    expect(commits).toEqual([[1, 2, 3], [4]]);
  });

  test('a failed commit fails every item of its batch, and only those', async () => {
    let fail = true;
    const group = new GroupCommit(async (items: string[]) => {
      if (fail) throw new Error('disk full');
      return items;
    });
    const failed = await Promise.allSettled([group.add('a'), group.add('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await group.add('c')).toBe('c');
  });

  test('a batch holding the same delivery twice stores it once (duplicates inside one transaction)', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'la-group-')), 'ledger.sqlite');
    const store = SqliteStore.open(file, { random: randomBytes });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.recordPaymentEvent({
      provider: 'gumroad', eventId: `sale:G-${i % 10}`, eventType: 'sale', orderRef: `gumroad:G-${i % 10}`, rawPayload: '', normalized: null, receivedAt: new Date(),
    })));
    expect(results.filter((r) => r.created)).toHaveLength(10);
    expect(results.filter((r) => !r.created)).toHaveLength(10);
    expect((await store.listPaymentEvents()).length).toBe(10);
    await store.close();
  });
});
