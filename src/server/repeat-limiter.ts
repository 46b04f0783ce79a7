// Rate-limits a repeating log line: the first occurrence of a key in a window is logged, the rest are
// counted and the count rides on the next line logged for that key. A poison order retried for hours, or a
// database that is down, then costs one line a minute instead of one per attempt.

export interface RepeatLimiter {
  /** log: write this occurrence; repeated: how many were held back since the last one written. */
  (key: string): { log: boolean; repeated: number };
}

export function createRepeatLimiter(windowMs: number, now: () => number = Date.now, maxKeys = 1_000): RepeatLimiter {
  const seen = new Map<string, { since: number; held: number }>();
  return (key) => {
    const t = now();
    const entry = seen.get(key);
    if (entry && t - entry.since < windowMs) {
      entry.held++;
      return { log: false, repeated: 0 };
    }
    seen.delete(key);
    seen.set(key, { since: t, held: 0 });
    // Oldest first: a flood of distinct keys cannot grow the map without bound.
    while (seen.size > maxKeys) seen.delete(seen.keys().next().value as string);
    return { log: true, repeated: entry?.held ?? 0 };
  };
}
