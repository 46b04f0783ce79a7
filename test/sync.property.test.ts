// Convergence: a CLI ledger and a server store receive random interleavings of every kind of event on
// both sides, with pushes and pulls at random points, lost answers (so batches are resent), and
// duplicated, reordered deliveries. After a final sync both hold the same event set and the same
// licenses, and every license row is the pure projection of its events.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { opArb, runCase } from './helpers/sync-case.js';

describe('sync convergence (property)', () => {
  it('a CLI ledger and a SQLite server store end identical after a final sync, whatever happened before', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => runCase(ops)), { numRuns: 2_000 });
  }, 240_000);

  it('a forget on one side erases the person on both, and events arriving later stay scrubbed', async () => {
    await runCase([
      { kind: 'mint', side: 'cli', email: 0, minute: 1, note: true },
      { kind: 'push', maxEvents: 5, loseAnswer: false },
      { kind: 'note_added', side: 'server', pick: 0, minute: 5 },
      { kind: 'forget', side: 'cli', pick: 0, minute: 3 },
      { kind: 'mail_queued', side: 'server', pick: 0, minute: 9 },
    ]);
  });
});
