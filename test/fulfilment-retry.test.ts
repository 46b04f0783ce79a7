// The pure pieces of backing off: the retry schedule and the repeating-log limiter.
import { expect, test } from 'vitest';
import { afterFailedAttempt, describeFailure, type RetryPolicy } from '../src/server/fulfilment/retry-policy.js';
import { createRepeatLimiter } from '../src/server/repeat-limiter.js';

const policy: RetryPolicy = { baseMs: 1_000, maxAttempts: 4, maxDelayMs: 5_000 };
const now = new Date('2026-12-01T00:00:00.000Z');
const after = (ms: number) => ({ retryAt: new Date(now.getTime() + ms) });

test.each([
  [1, false, after(1_000)],
  [2, false, after(2_000)],
  [3, false, after(4_000)],
  [4, false, { giveUp: true }],
  [9, false, { giveUp: true }],
  [4, true, after(5_000)], // transient: capped, never given up
  [60, true, after(5_000)],
])('attempt %i (transient: %s) → %o', (attempts, transient, decision) => {
  expect(afterFailedAttempt(attempts, policy, now, transient)).toEqual(decision);
});

test.each([
  [new RangeError('Invalid time value'), 'RangeError: Invalid time value'],
  [new Error('line one\n  line two'), 'Error: line one line two'],
  ['thrown string', 'Error: thrown string'],
  [new Error('x'.repeat(400)), `Error: ${'x'.repeat(290)}...`],
])('describeFailure(%s)', (error, text) => {
  expect(describeFailure(error)).toBe(text);
});

test('a repeating key is logged once per window, with the count held back since', () => {
  let t = 0;
  const limit = createRepeatLimiter(1_000, () => t);
  expect(limit('a')).toEqual({ log: true, repeated: 0 });
  expect(limit('a')).toEqual({ log: false, repeated: 0 });
  expect(limit('b')).toEqual({ log: true, repeated: 0 });
  t = 500;
  expect(limit('a').log).toBe(false);
  t = 1_000;
  expect(limit('a')).toEqual({ log: true, repeated: 2 });
  expect(limit('a').log).toBe(false);
});

test('the limiter forgets the oldest keys past its bound', () => {
  const limit = createRepeatLimiter(60_000, () => 0, 2);
  limit('a');
  limit('b');
  limit('c'); // "a" is dropped
  expect(limit('a').log).toBe(true);
  expect(limit('c').log).toBe(false);
});
