// Tables for the pure parts of sync: batch sizing, mint routing, server URLs, event JSON from rows.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.js';
import { batchSize, eventJsonFromRow } from '../src/sync/event-wire.js';
import { normalizeRemoteUrl } from '../src/sync/remote-client.js';
import { chooseMintRoute, mintBody } from '../src/sync/remote-mint.js';

describe('batchSize', () => {
  it.each([
    [[10, 10, 10], 5, 1000, 3],
    [[10, 10, 10], 2, 1000, 2],
    [[400, 400, 400], 10, 1000, 2],
    [[5000, 10], 10, 1000, 1], // one oversized event still goes alone
    [[], 10, 1000, 0],
  ])('%j max %d events / %d bytes -> %d', (sizes, maxCount, maxBytes, expected) => {
    expect(batchSize(sizes, maxCount, maxBytes)).toBe(expected);
  });
});

const withRemote = (mode?: 'remote-first' | 'local'): Config => ({ ...DEFAULT_CONFIG, remote: { url: 'https://s.example', ...(mode ? { mode } : {}) } });

describe('chooseMintRoute', () => {
  it.each([
    [{}, DEFAULT_CONFIG, 'local'],
    [{}, withRemote(), 'remote'],
    [{}, withRemote('remote-first'), 'remote'],
    [{}, withRemote('local'), 'local'],
    [{ remote: true }, withRemote('local'), 'remote'],
    [{ local: true }, withRemote(), 'local'],
  ] as const)('%j with %j -> %s', (flags, config, expected) => {
    expect(chooseMintRoute(flags, config)).toBe(expected);
  });
  it('--remote without a server and --local with --remote are errors', () => {
    expect(() => chooseMintRoute({ remote: true }, DEFAULT_CONFIG)).toThrow(/remote add/);
    expect(() => chooseMintRoute({ remote: true, local: true }, withRemote())).toThrow(/not both/);
  });
});

describe('normalizeRemoteUrl', () => {
  it.each([
    ['https://licenses.example.com/', 'https://licenses.example.com'],
    ['https://x.example/licenses/?q=1#h', 'https://x.example/licenses'],
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
  ])('%s -> %s', (input, expected) => expect(normalizeRemoteUrl(input)).toBe(expected));
  it.each(['not a url', 'ftp://x.example', 'https://user:pw@x.example'])('%s is refused', (input) => {
    expect(() => normalizeRemoteUrl(input)).toThrow();
  });
});

describe('wire forms', () => {
  it('eventJsonFromRow keeps the stored data text and parses back to the event', () => {
    const row = { id: 'e1', license_key: 'K', type: 'note_added', at: '2025-01-01T00:00:00.000Z', actor: 'a', source: 'cli', data: '{"text":"hi \\"x\\""}' };
    expect(JSON.parse(eventJsonFromRow(row))).toEqual({ id: 'e1', licenseKey: 'K', type: 'note_added', at: row.at, actor: 'a', source: 'cli', data: { text: 'hi "x"' } });
  });
  it('mintBody sends dates as ISO strings and the order id as orderId', () => {
    expect(mintBody({ tier: 'pro', email: 'a@b.co', expiresAt: new Date('2030-01-01T00:00:00Z'), gumroadOrderId: 'o1', seats: 2 })).toEqual({
      tier: 'pro', email: 'a@b.co', expiresAt: '2030-01-01T00:00:00.000Z', orderId: 'o1', seats: 2,
    });
  });
});
